using AiGateway.Config;
using AiGateway.Transforms.Orgs;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Payloads;

/// <summary>
/// The payload logging level of one call (CONTRACT §10.7): the customer's <c>payload_logging</c>, else the org's, else
/// <c>off</c>; lowered (never raised) by the route policy's <c>PayloadLogging</c> and by the request's <c>x-aigw-log</c>.
/// </summary>
internal static class PayloadLevel
{
    /// <summary>The request header that lowers the level for one call (<c>x-aigw-log: off</c>).</summary>
    public const string Header = "x-aigw-log";

    /// <summary>The level in force for the call.</summary>
    public static string For(HttpContext context, CallSettings settings, RoutePolicyOptions? route)
    {
        var level = PayloadLoggingName.Parse(settings.PayloadLogging) ?? PayloadLoggingName.Off;
        if (level == PayloadLoggingName.Off)
        {
            // The usual case: nothing more to read.
            return level;
        }

        level = PayloadLoggingName.Lower(level, route?.PayloadLogging is { } cap ? PayloadLoggingName.Parse(cap) : null);
        if (context.Request.Headers.TryGetValue(Header, out var header))
        {
            // An unknown value lowers to off: a client that asks for less must never get more than it meant.
            level = PayloadLoggingName.Lower(level, PayloadLoggingName.Parse(header.ToString()) ?? PayloadLoggingName.Off);
        }

        return level;
    }
}
