"""The model itself: keyed draws, pure rules, parameters, world state, the staged transition, outcomes and events."""
