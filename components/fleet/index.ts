export { ADDON_CATALOG, ADDON_NAMES, addonLabel } from "./addons";
export type { AddonName } from "./addons";
export { Fleet } from "./fleet";
export type { EksSpoke, ExistingSpoke, FleetArgs, PlacementArgs, SpokeArgs } from "./fleet";
export { FLEET_PROJECT } from "./objects";
