//! The compact stored form of text and decimals in the built-in pack that `build.rs` stores
//! (see `rules::prebuilt`): helpers for `#[serde(with = …)]` on the syntax tree's and the
//! layout's fields.
//!
//! Why not serde's own: decoding the stored pack is on the path of every run, and of its cost
//! a quarter went to checking, string by string, that each of some 7,700 short strings is
//! UTF-8, and a seventh to reading each decimal as sixteen separate bytes. Here every string
//! goes once into one table (the same text once), which is checked as a whole, and a field
//! stores only where its text sits in it; a decimal is one 128-bit number.
//!
//! The table lives in a thread-local while a pack is encoded ([`encoding`]) or decoded
//! ([`decoding`]); outside of those, the helpers fall back to storing the text itself, so that
//! the types can be stored in any other way too.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::RefCell;
use std::collections::HashMap;

/// The table of a pack being encoded.
#[derive(Default)]
struct Table {
    /// Every text, one after the other.
    text: String,
    /// Where each text ends in `text`, in order: text `i` runs from the end of text `i - 1`.
    ends: Vec<u32>,
    /// The number of each text already in the table.
    numbers: HashMap<String, u32>,
}

thread_local! {
    /// The table of the pack being encoded on this thread, if one is.
    static ENCODING: RefCell<Option<Table>> = const { RefCell::new(None) };
    /// The texts of the pack being decoded on this thread, by number (empty outside a
    /// decoding). `'static`: the table is part of the bytes embedded in the binary.
    static DECODING: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

/// Runs `encode` with a fresh table, and returns its result with the table, which must be
/// stored beside it.
pub fn encoding<T>(encode: impl FnOnce() -> T) -> (T, Vec<u8>) {
    ENCODING.with(|t| *t.borrow_mut() = Some(Table::default()));
    let value = encode();
    let table = ENCODING.with(|t| t.borrow_mut().take()).unwrap_or_default();
    // The number of texts, where each ends, then the texts: read back without a parser.
    let mut bytes = Vec::with_capacity(4 + 4 * table.ends.len() + table.text.len());
    bytes.extend((table.ends.len() as u32).to_le_bytes());
    for end in &table.ends {
        bytes.extend(end.to_le_bytes());
    }
    bytes.extend(table.text.as_bytes());
    (value, bytes)
}

/// Runs `decode` with the table that [`encoding`] returned (its text checked to be UTF-8
/// here, all at once). `None` if the table is malformed or `decode` fails.
pub fn decoding<T>(table: &'static [u8], decode: impl FnOnce() -> Option<T>) -> Option<T> {
    let texts = split(table)?;
    DECODING.with(|t| *t.borrow_mut() = texts);
    let value = decode();
    DECODING.with(|t| t.borrow_mut().clear());
    value
}

/// The texts of a stored table, by number.
fn split(table: &'static [u8]) -> Option<Vec<&'static str>> {
    let word = |i: usize| -> Option<usize> {
        let b = table.get(4 * i..4 * i + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let count = word(0)?;
    let text = table.get(4 + 4 * count..)?;
    let text = simdutf8::basic::from_utf8(text).ok()?;
    let mut texts = Vec::with_capacity(count);
    let mut start = 0;
    for i in 0..count {
        let end = word(1 + i)?;
        texts.push(text.get(start..end)?);
        start = end;
    }
    Some(texts)
}

/// A text, stored as its number in the table (or as itself, outside a table).
struct Text;

impl Text {
    fn put<S: Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
        let number = ENCODING.with(|t| {
            let mut t = t.borrow_mut();
            let t = t.as_mut()?;
            if let Some(&n) = t.numbers.get(text) {
                return Some(n);
            }
            let n = t.ends.len() as u32;
            t.text.push_str(text);
            t.ends.push(t.text.len() as u32);
            t.numbers.insert(text.to_string(), n);
            Some(n)
        });
        match number {
            Some(n) => s.serialize_u32(n),
            None => s.serialize_str(text),
        }
    }

    fn get<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        // Checked first, to read what was stored: a number, or (outside a table) the text.
        if DECODING.with(|t| t.borrow().is_empty()) {
            return String::deserialize(d);
        }
        let n = u32::deserialize(d)? as usize;
        DECODING
            .with(|t| t.borrow().get(n).map(|s| s.to_string()))
            .ok_or_else(|| D::Error::custom("a text outside the stored table"))
    }
}

/// A text stored through [`text`], for the helpers of containers of texts.
#[derive(Serialize)]
struct Put<'a>(#[serde(with = "text")] &'a str);

/// A text read back through [`text`].
#[derive(Deserialize)]
struct Get(#[serde(with = "text")] String);

/// A `String` field.
pub mod text {
    use super::*;

    /// Stores the text's place.
    pub fn serialize<S: Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
        Text::put(text, s)
    }

    /// Reads the text back from its place.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Text::get(d)
    }
}

/// An `Option<String>` field.
pub mod opt_text {
    use super::*;

    /// Stores the text's place, if any.
    pub fn serialize<S: Serializer>(text: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
        text.as_deref().map(Put).serialize(s)
    }

    /// Reads the text back from its place, if any.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(Option::<Get>::deserialize(d)?.map(|g| g.0))
    }
}

/// A `Vec<String>` field.
pub mod texts {
    use super::*;

    /// Stores the texts' places.
    pub fn serialize<S: Serializer>(texts: &[String], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(texts.iter().map(|t| Put(t)))
    }

    /// Reads the texts back from their places.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Ok(Vec::<Get>::deserialize(d)?
            .into_iter()
            .map(|g| g.0)
            .collect())
    }
}

/// A `Vec<(String, T)>` field: texts paired with values.
pub mod keyed {
    use super::*;

    #[derive(Serialize)]
    struct Put<'a, T>(#[serde(with = "super::text")] &'a str, &'a T);
    #[derive(Deserialize)]
    struct Get<T>(#[serde(with = "super::text")] String, T);

    /// Stores each text's place with its value.
    pub fn serialize<S: Serializer, T: Serialize>(
        pairs: &[(String, T)],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(pairs.iter().map(|(k, v)| Put(k, v)))
    }

    /// Reads each text back with its value.
    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Vec<(String, T)>, D::Error> {
        Ok(Vec::<Get<T>>::deserialize(d)?
            .into_iter()
            .map(|g| (g.0, g.1))
            .collect())
    }
}

/// A decimal, stored as one 128-bit number (its exact 16 bytes).
pub mod decimal {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Stores the decimal's bytes as one number.
    pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        u128::from_le_bytes(value.serialize()).serialize(s)
    }

    /// Reads the number back.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        u128::deserialize(d).map(|n| Decimal::deserialize(n.to_le_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Sample {
        #[serde(with = "text")]
        a: String,
        #[serde(with = "opt_text")]
        b: Option<String>,
        #[serde(with = "texts")]
        c: Vec<String>,
        #[serde(with = "keyed")]
        d: Vec<(String, i8)>,
        #[serde(with = "decimal")]
        e: Decimal,
    }

    fn sample() -> Sample {
        Sample {
            a: "本年收入合计".into(),
            b: Some("本年收入合计".into()),
            c: vec!["a".into(), String::new(), "万元".into()],
            d: vec![("增加".into(), 1), ("减少".into(), -1)],
            e: Decimal::from_str("-1612.3600").unwrap(),
        }
    }

    #[test]
    fn texts_and_decimals_come_back_through_a_table() {
        let (bytes, table) = encoding(|| postcard::to_allocvec(&sample()).unwrap());
        // The same text is stored once.
        assert_eq!(
            String::from_utf8_lossy(&table)
                .matches("本年收入合计")
                .count(),
            1
        );
        let table: &'static [u8] = table.leak();
        let back = decoding(table, || postcard::from_bytes::<Sample>(&bytes).ok());
        let back = back.unwrap();
        assert_eq!(back, sample());
        assert_eq!(back.e.to_string(), "-1612.3600", "the scale is kept");
    }

    #[test]
    fn outside_a_table_the_text_is_stored_itself() {
        let bytes = postcard::to_allocvec(&sample()).unwrap();
        assert_eq!(postcard::from_bytes::<Sample>(&bytes).unwrap(), sample());
    }

    #[test]
    fn a_place_outside_the_table_fails_to_decode() {
        let (bytes, _) = encoding(|| postcard::to_allocvec(&sample()).unwrap());
        // Two texts, of which the second would end past the table's text.
        let short = b"\x02\0\0\0\x01\0\0\0\x09\0\0\0ab";
        assert!(decoding(short, || postcard::from_bytes::<Sample>(&bytes).ok()).is_none());
        assert!(
            decoding(b"\x01\0\0\0\x02\0\0\0\xff\xfe", || Some(())).is_none(),
            "not UTF-8"
        );
        let (bytes, table) = encoding(|| postcard::to_allocvec(&sample()).unwrap());
        let table: &'static [u8] = table.leak();
        let lacking = &table[..table.len() - 1];
        assert!(decoding(lacking, || postcard::from_bytes::<Sample>(&bytes).ok()).is_none());
    }
}
