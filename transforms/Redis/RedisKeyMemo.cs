using System.Collections.Concurrent;
using StackExchange.Redis;

namespace AiGateway.Transforms.Redis;

/// <summary>
/// Redis key arrays made once per name (an org and month, an org and route) instead of per call: names are few next to
/// the calls that use them. Past <paramref name="maxNames"/> it starts over, so an unbounded set of names cannot grow it.
/// </summary>
/// <param name="make">Makes the keys of one name.</param>
/// <param name="maxNames">How many names it remembers at most.</param>
internal sealed class RedisKeyMemo<TName>(Func<TName, RedisKey[]> make, int maxNames) where TName : notnull
{
    private readonly ConcurrentDictionary<TName, RedisKey[]> _made = new();

    /// <summary>The keys of <paramref name="name"/>; the caller must not change the array.</summary>
    public RedisKey[] For(TName name)
    {
        if (_made.TryGetValue(name, out var keys))
        {
            return keys;
        }

        if (_made.Count >= maxNames)
        {
            _made.Clear();
        }

        return _made[name] = make(name);
    }
}
