//! What the server tells the page shell about the site it serves.

/// The stylesheet's URL as this build names it (after its content when the build hashed its
/// files), read once at start rather than on every page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StylesheetHref(pub String);
