import { describe } from '../api/errors';
import type { StreamState } from '../api/sse';
import { followUserFeed } from '../api/userFeed';
import { listInstances, type Instance, type InstanceFeed } from './cloudApi';

/**
 * The person's instances, read once and then kept current by the `instance` entries of their live feed
 * (`GET /v1/stream`), never by polling the provider. An entry for an instance not yet listed reads the list again.
 */
export class InstancesLive {
  instances = $state<Instance[] | null>(null);
  maxInstances = $state<number | null>(null);
  error = $state<string | null>(null);
  live = $state<StreamState>('connecting');

  start(): () => void {
    const stop = followUserFeed((frame) => {
      if (frame.type === 'reset') void this.load();
      else if (frame.type === 'instance') this.apply(frame.data as InstanceFeed);
    }, (state) => (this.live = state));
    void this.load();
    return stop;
  }

  async load() {
    this.error = null;
    try {
      const list = await listInstances();
      this.instances = list.instances;
      this.maxInstances = list.max_instances ?? null;
    } catch (e) {
      this.error = describe(e);
    }
  }

  /** Puts an instance the page made into the list at once (its feed entries follow). */
  upsert(instance: Instance) {
    this.instances = [instance, ...(this.instances ?? []).filter((i) => i.id !== instance.id)];
  }

  private apply(change: InstanceFeed) {
    const known = (this.instances ?? []).find((i) => i.id === change.id);
    if (!known) {
      void this.load();
      return;
    }
    this.instances = (this.instances ?? []).map((i) => (i.id === change.id
      ? { ...i, status: change.status, public_ip: change.publicIp, name: change.name, instance_type: change.instanceType, running_since: change.runningSince }
      : i));
  }
}
