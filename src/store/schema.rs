//! Schema version and migrations of what is stored.
//!
//! The version lives under one key. Each migration step rewrites keys one at a time (every
//! single write is atomic in localStorage) and must be idempotent, and the version key is
//! bumped only after its step finished: a tab closed mid-migration re-runs the step on the next
//! load instead of leaving a half-migrated store. Data from a newer app version is never
//! touched: this build says so and stops.

use super::{KvStore, StoreError};

pub const SCHEMA_KEY: &str = "doorstep.schema";
/// Schema 1: one key per response (`doorstep.r.<uuid>`), JSON as `response::Response`.
pub const SCHEMA_VERSION: u32 = 1;

/// A step from version `from` to `from + 1`.
pub struct Migration {
    pub from: u32,
    pub run: fn(&dyn KvStore) -> Result<(), StoreError>,
}

/// The steps of this build. Schema 1 is the first; a later schema appends its step here.
const MIGRATIONS: &[Migration] = &[];

/// Brings the store to `SCHEMA_VERSION`. Returns the version found before.
pub fn migrate(store: &dyn KvStore) -> Result<u32, StoreError> {
    migrate_with(store, MIGRATIONS, SCHEMA_VERSION)
}

pub fn migrate_with(
    store: &dyn KvStore,
    steps: &[Migration],
    target: u32,
) -> Result<u32, StoreError> {
    let found = match store.get(SCHEMA_KEY)? {
        // A fresh device: nothing to migrate.
        None => 0,
        Some(v) => v.trim().parse::<u32>().map_err(|_| StoreError::Corrupt {
            key: SCHEMA_KEY.into(),
            detail: format!("not a version number: \"{v}\""),
        })?,
    };
    if found > target {
        return Err(StoreError::NewerSchema(found));
    }
    // Version 0 is an empty device: it starts at the first schema directly.
    let mut version = found.max(1);
    while version < target {
        let step = steps
            .iter()
            .find(|m| m.from == version)
            .ok_or_else(|| StoreError::Other(format!("no migration from schema {version}")))?;
        (step.run)(store)?;
        version += 1;
        store.set(SCHEMA_KEY, &version.to_string())?;
    }
    if found != target {
        store.set(SCHEMA_KEY, &target.to_string())?;
    }
    Ok(found)
}
