// Connection quality shown in the call: local signal strength (0, 0.5, 1) and the SDK's
// connectionDidBecomePoor / connectionDidBecomeGood.

export type Quality = 'good' | 'fair' | 'poor';

export interface QualityInput {
  signalStrength: number;
  poorConnection: boolean;
}

export function qualityOf(input: QualityInput): Quality {
  if (input.poorConnection || input.signalStrength <= 0) return 'poor';
  if (input.signalStrength < 1) return 'fair';
  return 'good';
}

export function qualityLabel(quality: Quality): string {
  switch (quality) {
    case 'good':
      return 'Connection: good';
    case 'fair':
      return 'Connection: fair';
    case 'poor':
      return 'Connection: poor';
  }
}
