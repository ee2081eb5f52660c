/**
 * Exact semantic version (optionally with a leading "v"), as config takes chart and distribution
 * versions and the policy pack requires of Helm releases: a range would let an upgrade slip in unreviewed.
 */
export const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
