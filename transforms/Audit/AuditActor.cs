namespace AiGateway.Transforms.Audit;

/// <summary>Who made an admin change, and from where: <c>admin</c> (the full admin key), <c>loopback</c> (no admin key configured) or <c>cli:&lt;os user&gt;</c>.</summary>
/// <param name="Name">The actor as the audit log names it.</param>
/// <param name="SourceIp">The caller's address, or null (the command line).</param>
public sealed record AuditActor(string Name, string? SourceIp)
{
    /// <summary>The actor of a change made with <c>Gateway:Admin:Key</c>.</summary>
    public const string AdminKey = "admin";

    /// <summary>The actor of a call made with <c>Gateway:Admin:ReadOnlyKey</c>; it changes nothing, but may read what is audited.</summary>
    public const string ReadOnlyKey = "read-only";

    /// <summary>The actor of a change made from loopback while no admin key is configured.</summary>
    public const string Loopback = "loopback";

    /// <summary>The operating-system user running a command-line verb.</summary>
    public static AuditActor CommandLine() => new("cli:" + Environment.UserName, null);
}
