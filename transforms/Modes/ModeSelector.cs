using AiGateway.Config;
using AiGateway.Transforms.Orgs;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Modes;

/// <summary>
/// Picks a call's mode (CONTRACT §4, §6): the <c>x-aigw-mode</c> header unless the org's <c>client_mode_override</c>
/// is false, else the route policy's <c>Mode</c>, else the org's <c>mode_default</c>, else none (the model passes
/// unchanged); <c>auto</c> then becomes <c>smart</c> while the org's remaining budget share is above
/// <c>Gateway:Auto:SmartAboveBudgetShare</c>, else <c>cheap</c>.
/// </summary>
internal sealed class ModeSelector(IOptionsMonitor<GatewayOptions> options)
{
    /// <summary>The mode asked for (<c>cheap</c>, <c>smart</c>, <c>auto</c>) or null for none; or an error for an unknown header value.</summary>
    public (string? Mode, string? Error) Requested(string? header, string? route, OrgAiSettings? org) =>
        Requested(header, route, new CallSettings(org));

    /// <summary>The mode asked for under the call's settings (the customer's, falling back to the org's), or an error for an unknown header value.</summary>
    public (string? Mode, string? Error) Requested(string? header, string? route, CallSettings settings)
    {
        if (!string.IsNullOrWhiteSpace(header) && settings.ClientModeOverride)
        {
            return ModeName.Parse(header) is { } asked
                ? (asked, null)
                : (null, $"The {ModeMiddleware.ModeHeader} header is '{header}'; it must be cheap, smart or auto{NearestName.Hint(header.Trim(), ModeName.All)}");
        }

        if (route is not null && options.CurrentValue.Routes.TryGetValue(route, out var policy) && ModeName.Parse(policy.Mode) is { } routeMode)
        {
            return (routeMode, null);
        }

        return (ModeName.Parse(settings.ModeDefault), null);
    }

    /// <summary>The mode and model for <paramref name="mode"/>; <paramref name="remainingShare"/> is the org's budget share left, or null when it has no budget.</summary>
    public ModeChoice Resolve(string mode, decimal? remainingShare)
    {
        var gateway = options.CurrentValue;
        var isAuto = mode == ModeName.Auto;
        if (isAuto)
        {
            mode = remainingShare is not { } share || share > gateway.Auto.SmartAboveBudgetShare ? ModeName.Smart : ModeName.Cheap;
        }

        return new ModeChoice(mode, isAuto, mode == ModeName.Cheap ? gateway.Modes.Cheap : gateway.Modes.Smart);
    }
}
