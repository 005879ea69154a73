//! How server functions' answers cross HTTP: JSON, read from text.
//!
//! server_fn's own `Json` reads an answer with `serde_json::from_slice`, while Leptos reads an
//! island's props (and the resources resolved for it) with `serde_json::from_str`. serde_json's
//! readers for a slice and for a string are different types, so every type that is both an
//! island's props and a server function's answer (a page's data, refreshed after a change) had
//! its whole deserializer compiled into the WASM twice. Answers read as text share the props'.
//! The bytes on the wire are the same JSON, with the same content type.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON read from text (see the module's documentation).
pub struct JsonTextEncoding;

impl ContentType for JsonTextEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonTextEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(|e| serde::de::Error::custom(e.to_string()))?;
        serde_json::from_str(text)
    }
}

/// A server function's answer as JSON read from text: `#[server(output = JsonText)]`.
pub type JsonText = Post<JsonTextEncoding>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_go_as_json_and_come_back_as_they_were() {
        let sent: Vec<(String, i64)> = vec![("Visa •••• 4242".into(), 12)];
        let bytes = <JsonTextEncoding as Encodes<_>>::encode(&sent).unwrap();
        assert_eq!(&bytes[..], "[[\"Visa •••• 4242\",12]]".as_bytes());
        let back: Vec<(String, i64)> = <JsonTextEncoding as Decodes<_>>::decode(bytes).unwrap();
        assert_eq!(back, sent);
        assert!(<JsonTextEncoding as Decodes<Vec<i64>>>::decode(Bytes::from_static(b"\xff")).is_err());
    }
}
