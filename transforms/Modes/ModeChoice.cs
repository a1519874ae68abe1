using AiGateway.Transforms.Orgs;
namespace AiGateway.Transforms.Modes;

/// <summary>The mode a call runs in and the model it sends upstream (a request feature, set by the mode step when a mode applies).</summary>
/// <param name="Mode"><c>cheap</c> or <c>smart</c>.</param>
/// <param name="IsAuto">Whether <c>auto</c> chose <paramref name="Mode"/>.</param>
/// <param name="Model">The model sent upstream.</param>
public sealed record ModeChoice(string Mode, bool IsAuto, string Model)
{
    /// <summary>The <c>x-aigw-mode</c> value and the log's <c>mode</c>: <c>cheap</c>, <c>smart</c>, <c>auto:cheap</c> or <c>auto:smart</c>.</summary>
    public string Label => IsAuto ? (Mode == ModeName.Cheap ? "auto:cheap" : "auto:smart") : Mode;
}
