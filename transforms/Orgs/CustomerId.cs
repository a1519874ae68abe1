using System.Buffers;

namespace AiGateway.Transforms.Orgs;

/// <summary>The customer a call is made for, as the app names it (CONTRACT §10.2): <c>x-aigw-customer</c>.</summary>
public static class CustomerId
{
    /// <summary>The request header naming the customer.</summary>
    public const string Header = "x-aigw-customer";

    /// <summary>The longest customer id.</summary>
    public const int MaxLength = 64;

    private static readonly SearchValues<char> Allowed = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-");

    /// <summary>Whether <paramref name="value"/> is a customer id: <c>[A-Za-z0-9._:-]{1,64}</c>.</summary>
    public static bool IsValid(ReadOnlySpan<char> value) =>
        value.Length is > 0 and <= MaxLength && !value.ContainsAnyExcept(Allowed);
}
