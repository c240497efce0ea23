using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace OrbitGrains.Cloud;

public sealed partial class InstanceGrain
{
    /// <summary>Starts a transition towards <paramref name="goal"/>, showing <paramref name="status"/> meanwhile.</summary>
    private async Task BeginAsync(string goal, string status)
    {
        S.Goal = goal;
        S.GoalSince = clock.GetUtcNow();
        S.CommandIssued = false;
        var changed = S.Status != status;
        SetStatus(status);
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(TransitionReminder, options.TransitionReminderPeriod, options.TransitionReminderPeriod);
        StartPolling();
        if (changed)
        {
            Announce();
        }
    }

    /// <summary>Every status change goes through here, so the running time the instance is billed for stays exact.</summary>
    private void SetStatus(string status)
    {
        if (status == InstanceStatus.Running)
        {
            S.RunningSince ??= clock.GetUtcNow();
        }
        else
        {
            S.RunningSince = null;
        }

        S.Status = status;
    }

    private void StartPolling() =>
        _poll ??= this.RegisterGrainTimer(PollTickAsync, new GrainTimerCreationOptions(options.PollInterval, options.PollInterval)
        {
            Interleave = false,
            KeepAlive = true,
        });

    private Task PollTickAsync(CancellationToken cancellationToken) => PollAsync();

    /// <summary>One step of the transition in flight: ask the provider, act once, and settle when the goal is reached.</summary>
    private async Task PollAsync()
    {
        if (S.Goal is not { } goal)
        {
            await SettledAsync();
            return;
        }

        try
        {
            if (S.ProviderInstanceId is null)
            {
                if (goal == InstanceStatus.Running)
                {
                    await LaunchAtProviderAsync();
                }
                else
                {
                    // Never reached the provider: nothing to stop or terminate there.
                    await SettleAsync(goal == InstanceStatus.Terminated ? InstanceStatus.Terminated : InstanceStatus.Failed);
                }

                return;
            }

            var observed = await provider.DescribeAsync(S.ProviderInstanceId);
            if (observed is null)
            {
                if (goal == InstanceStatus.Terminated)
                {
                    await SettleAsync(InstanceStatus.Terminated);
                }
                else if (TimedOut())
                {
                    await SettleAsync(InstanceStatus.Failed);
                }

                // Otherwise EC2's eventual consistency: a new instance may not be described yet.
                return;
            }

            await ApplyAsync(goal, observed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Throttled, unreachable, refused: the next tick repeats the step (every step is idempotent).
            LogProviderFailed(logger, Id, goal, ex.GetType().Name, ex.Message);
            if (TimedOut())
            {
                await SettleAsync(InstanceStatus.Failed);
            }
        }
    }

    private async Task LaunchAtProviderAsync()
    {
        if (TimedOut())
        {
            await SettleAsync(InstanceStatus.Failed);
            return;
        }

        var keys = S.SealedKeys.ToDictionary(k => k.Key, k => cipher.Decrypt(k.Value, KeyContext(k.Key)));
        var userData = UserDataScript.Build(
            cipher.Decrypt(S.SealedVncPassword!, SecretContext("vnc")), cipher.Decrypt(S.SealedGatewayToken!, SecretContext("gateway")), keys);
        var observed = await provider.LaunchAsync(new LaunchSpec(Id, S.UserId, S.Name, S.InstanceType, userData));
        S.ProviderInstanceId = observed.ProviderInstanceId;
        // The provider has them in the user data now; the grain need not keep them.
        S.SealedKeys = [];
        S.CommandIssued = true;
        await state.WriteStateAsync();
        await ApplyAsync(InstanceStatus.Running, observed);
    }

    private async Task ApplyAsync(string goal, ProviderObservation observed)
    {
        S.PublicIp = observed.PublicIp ?? S.PublicIp;
        var id = S.ProviderInstanceId!;
        switch (goal)
        {
            case InstanceStatus.Running when observed.Status == InstanceStatus.Running && S.PublicIp is not null:
                S.IdleSince = clock.GetUtcNow();
                await SettleAsync(InstanceStatus.Running);
                break;
            case InstanceStatus.Running when observed.Status == InstanceStatus.Terminated:
                await SettleAsync(InstanceStatus.Failed);
                break;
            case InstanceStatus.Running when TimedOut():
                await provider.TerminateAsync(id);
                await SettleAsync(InstanceStatus.Failed);
                break;
            case InstanceStatus.Running when observed.Status == InstanceStatus.Stopped && !S.CommandIssued:
                await IssueAsync(() => provider.StartAsync(id));
                break;
            case InstanceStatus.Stopped when observed.Status is InstanceStatus.Stopped or InstanceStatus.Terminated:
                await SettleAsync(observed.Status);
                break;
            case InstanceStatus.Stopped when !S.CommandIssued:
                await IssueAsync(() => provider.StopAsync(id));
                break;
            case InstanceStatus.Terminated when observed.Status == InstanceStatus.Terminated:
                await SettleAsync(InstanceStatus.Terminated);
                break;
            case InstanceStatus.Terminated when !S.CommandIssued:
                await IssueAsync(() => provider.TerminateAsync(id));
                break;
        }
    }

    private async Task IssueAsync(Func<Task> command)
    {
        await command();
        S.CommandIssued = true;
        await state.WriteStateAsync();
    }

    private bool TimedOut() => clock.GetUtcNow() - S.GoalSince > options.LaunchTimeout;

    /// <summary>The transition ended in <paramref name="status"/>: store it, stop polling, drop the reminder, tell the user's list.</summary>
    private async Task SettleAsync(string status)
    {
        var changed = S.Status != status;
        SetStatus(status);
        S.Goal = null;
        S.CommandIssued = false;
        if (status is InstanceStatus.Terminated or InstanceStatus.Failed)
        {
            S.SealedKeys = [];
        }

        await state.WriteStateAsync();
        await SettledAsync();
        if (changed)
        {
            Announce();
        }
    }

    private async Task SettledAsync()
    {
        _poll?.Dispose();
        _poll = null;
        await UnregisterTransitionReminderAsync();
    }

    private async Task UnregisterTransitionReminderAsync()
    {
        if (await this.GetReminder(TransitionReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>A status change outside a transition (drift found by the reconciler).</summary>
    private async Task SetStatusAsync(string status)
    {
        SetStatus(status);
        await state.WriteStateAsync();
        Announce();
    }

    private async Task StopWhenIdleAsync()
    {
        var now = clock.GetUtcNow();
        // Open connections count while they beat: one whose front end died without closing it stops counting.
        var inUse = _proxies > 0 && now - _lastProxySign < 3 * options.ProxyHeartbeat;
        if (options.IdleStop is { } idle && S.Status == InstanceStatus.Running && S.Goal is null && !inUse && now - S.IdleSince >= idle)
        {
            await BeginAsync(InstanceStatus.Stopped, InstanceStatus.Stopping);
            await PollAsync();
        }
    }

    /// <summary>
    /// Tells the user's list (one-way: the list may be the caller, waiting on this grain) and the live stream hook.
    /// </summary>
    private void Announce()
    {
        meter.Cloud.StatusChanged(S.Status);
        GrainFactory.GetGrain<IUserInstancesGrain>(S.UserId).StatusChanged(Id, S.Status).Ignore();
        events.StatusChangedAsync(Record()).Ignore();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cloud instance {InstanceId}: the provider step towards {Goal} failed ({Error}: {Reason}); retrying on the next poll.")]
    private static partial void LogProviderFailed(ILogger logger, string instanceId, string goal, string error, string reason);

    /// <summary>Per-instance secrets: random, never logged, stored only encrypted.</summary>
    private static class Secrets
    {
        /// <summary>8 characters: VNC's password authentication reads at most 8.</summary>
        public static string NewVncPassword() => RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 8);

        public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    }
}
