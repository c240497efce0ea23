import { hourlyPrice, type Instance } from '../cloud/cloudApi';

/**
 * An estimate of what a running instance has cost since it was launched: the type's on-demand hourly price times
 * the hours since `created_at` (time spent stopped is not known to the client, so this is an upper bound).
 */
export function costSoFar(instance: Instance, now = Date.now()): number {
  const hours = Math.max(0, now - Date.parse(instance.created_at)) / 3_600_000;
  return (hourlyPrice[instance.instance_type] ?? 0) * hours;
}
