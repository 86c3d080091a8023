// Durations as Istio's CRDs take them: protobuf JSON (seconds with a decimal fraction, "1.5s"),
// which also reads the same in every output whatever unit the mesh file used ("1m30s" is "90s").
import { durationMs, toProtoDuration } from '../../../model/duration.js';

export function toIstioDuration(text: string): string {
  return toProtoDuration(durationMs(text));
}
