//! The data store's key catalogue (`schemas/datastore-keys.json`, compiled in): which keys
//! exist, their schemas, their sources. Read by the forms catalog (bindings checked at load)
//! and by the data store's API.

use form_core::datastore::Catalogue;
use std::sync::LazyLock;

/// The key catalogue (`schemas/datastore-keys.json`), compiled in.
pub static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    // Checked by the tests; it always reads.
    Catalogue::from_json(include_str!("../../schemas/datastore-keys.json"))
        .expect("datastore-keys.json reads")
});
