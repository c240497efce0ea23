using Microsoft.Extensions.Logging;
using OrbitGrains.Shared;

namespace OrbitGrains.Cloud;

/// <summary>
/// Every reconcile interval (a reminder, so it runs somewhere in the cluster whatever silos come and go): lists the
/// provider's live instances tagged `ManagedBy` for this deployment; each that no instance grain owns is an orphan (a
/// crash between RunInstances and the grain's write, a deleted grain) and is terminated; the others go to their grain,
/// which corrects drift and applies idle auto-stop.
/// </summary>
public sealed partial class CloudReconcilerGrain(ICloudProvider provider, CloudOptions options, ILogger<CloudReconcilerGrain> logger)
    : Grain, ICloudReconcilerGrain, IRemindable
{
    private const string ReminderName = "cloud-reconcile";

    public async Task Ensure() => await this.RegisterOrUpdateReminder(ReminderName, options.ReconcileInterval, options.ReconcileInterval);

    public async Task<int> Run()
    {
        var orphans = 0;
        foreach (var observed in await provider.ListManagedAsync())
        {
            var known = observed.InstanceId is { } id && IssuedIds.IsCanonical(id)
                && await GrainFactory.GetGrain<IInstanceGrain>(id).Reconcile(observed);
            if (!known)
            {
                LogOrphan(logger, observed.ProviderInstanceId);
                await provider.TerminateAsync(observed.ProviderInstanceId);
                orphans++;
            }
        }

        return orphans;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        try
        {
            await Run();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex.GetType().Name, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Terminating orphaned cloud instance {ProviderInstanceId}: tagged for this deployment, owned by no instance.")]
    private static partial void LogOrphan(ILogger logger, string providerInstanceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cloud reconciler could not finish ({Error}: {Reason}); it runs again at its next reminder.")]
    private static partial void LogFailed(ILogger logger, string error, string reason);
}
