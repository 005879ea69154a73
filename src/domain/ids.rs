//! Typed ids: an account's id and an invoice's id are both prefixed random text in the
//! database, but never interchangeable in code. A function taking `(&AccountId, &InvoiceId)`
//! cannot be called with its arguments swapped, which `(&str, &str)` allowed.
//!
//! Each dereferences to `str` for formatting, SQL binding of code not yet typed, and
//! comparisons; only the server makes new ones (`server::infra::ids`).

use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($($(#[$meta:meta])* $name:ident => $prefix:literal;)+) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The prefix of the ids the server makes, e.g. `inv` in `inv_4lYy…`.
            pub const PREFIX: &'static str = $prefix;

            /// Wraps an id read from a request, a row or a test. Whether it names an object the
            /// caller may reach is the use case's question, not this type's.
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                $name(id.clone())
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_string())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    )+};
}

typed_id! {
    /// A client account.
    AccountId => "acc";
    /// A person who signs in (a user: client people and agency staff).
    PersonId => "usr";
    /// An invoice (and the statements numbered with them).
    InvoiceId => "inv";
    /// A payment attempt.
    PaymentId => "pay";
    /// A stored payment method.
    MethodId => "pm";
    /// A subscription.
    SubscriptionId => "sub";
    /// An estimate or proposal.
    EstimateId => "est";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_serializes_as_its_text_and_compares_with_it() {
        let id = InvoiceId::new("inv_abc");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"inv_abc\"");
        assert_eq!(serde_json::from_str::<InvoiceId>("\"inv_abc\"").unwrap(), id);
        assert_eq!(id, "inv_abc");
        assert_eq!(id.to_string(), "inv_abc");
        assert_eq!(&*id, "inv_abc");
    }
}
