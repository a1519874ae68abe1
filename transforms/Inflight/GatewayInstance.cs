using System.Security.Cryptography;

namespace AiGateway.Transforms.Inflight;

/// <summary>This gateway process among the instances that share a Redis: its id names it in the in-flight view.</summary>
public sealed class GatewayInstance
{
    /// <summary>Names this process: host name, process id and a random suffix (two gateways in one process stay apart).</summary>
    public GatewayInstance() => Id = $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    /// <summary>The instance id.</summary>
    public string Id { get; }
}
