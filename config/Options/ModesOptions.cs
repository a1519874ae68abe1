namespace AiGateway.Config;

/// <summary>The <c>Gateway:Modes</c> section: the model each mode sends upstream (CONTRACT §6).</summary>
public sealed class ModesOptions
{
    /// <summary>The model of the <c>cheap</c> mode (<c>Gateway:Modes:cheap</c>).</summary>
    /// <value>A model name with a price in the price table. Default <c>gpt-4o-mini</c>.</value>
    public string Cheap { get; set; } = "gpt-4o-mini";

    /// <summary>The model of the <c>smart</c> mode (<c>Gateway:Modes:smart</c>).</summary>
    /// <value>A model name with a price in the price table. Default <c>gpt-4o</c>.</value>
    public string Smart { get; set; } = "gpt-4o";
}
