//! The built-in pack, parsed and checked when tally is built, so that a run does not parse it
//! again.
//!
//! Parsing the built-in pack's rule files with the pest grammar, lowering them and checking
//! their paths against the layout cost about 90% of the instructions of `tally check` on one
//! seed-sized file. `build.rs` does that work once: it loads `rules/` through the very code
//! of [`super::pack`] (the build script compiles the front-end modules with it) and writes the
//! resulting [`Pack`] to `$OUT_DIR` in postcard's compact form. A run that uses the built-in
//! pack alone decodes it ([`builtin`]); a run with `--rules` takes the normal path.
//!
//! What is stored is the checked pack: rules with their spans, loop plans, layout, overrides
//! and the content hash. The rule files' text is not stored twice: a rule names its file, and
//! decoding finds it among the files embedded in the binary, the same that diagnostics quote.
//! The stored pack also lists each file's name and length; if they disagree with the embedded
//! files (a rule file edited between the build script's run and compilation, say), or the
//! bytes do not decode, the pack is parsed as before. A test checks that the decoded pack is
//! the parsed one, field for field.

use super::pack::Pack;
use crate::source::SourceFile;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::sync::Arc;

/// What `build.rs` stores: the files the pack was built from (name and length), the table of
/// its texts (see [`crate::stored`]), and the pack, encoded against that table.
#[derive(Serialize, Deserialize)]
struct Stored<'a> {
    files: Vec<(String, u64)>,
    #[serde(borrow)]
    table: Bytes<'a>,
    #[serde(borrow)]
    pack: Bytes<'a>,
}

/// Bytes stored as such (serde's `[u8]` would be a sequence of numbers, read one at a time).
#[derive(Deserialize)]
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

/// The stored form of a pack built from `files`. `build.rs` writes it.
pub fn encode(pack: &Pack, files: &[Arc<SourceFile>]) -> Vec<u8> {
    let (encoded, table) = crate::stored::encoding(|| postcard::to_allocvec(pack));
    let Ok(encoded) = encoded else {
        return Vec::new();
    };
    let stored = Stored {
        files: files
            .iter()
            .map(|f| (f.name.clone(), f.text.len() as u64))
            .collect(),
        table: Bytes(&table),
        pack: Bytes(&encoded),
    };
    postcard::to_allocvec(&stored).unwrap_or_default()
}

/// Decodes a stored pack against the files it was built from. `None` when the bytes are
/// empty (the build script found errors in the pack, which a run then reports by parsing it),
/// do not decode, or were built from other files.
pub fn decode(bytes: &'static [u8], files: &[Arc<SourceFile>]) -> Option<Pack> {
    if bytes.is_empty() {
        return None;
    }
    let stored = postcard::from_bytes::<Stored>(bytes).ok()?;
    let same = stored.files.len() == files.len()
        && stored
            .files
            .iter()
            .zip(files)
            .all(|((name, len), f)| *name == f.name && *len == f.text.len() as u64);
    if !same {
        return None;
    }
    FILES.with(|f| *f.borrow_mut() = files.to_vec());
    let pack = crate::stored::decoding(stored.table.0, || {
        postcard::from_bytes::<Pack>(stored.pack.0).ok()
    });
    FILES.with(|f| f.borrow_mut().clear());
    pack
}

/// The built-in pack as `build.rs` stored it, if it did (see [`decode`]).
#[cfg(tally_prebuilt)]
pub fn builtin() -> Option<Pack> {
    static BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/builtin-pack.postcard"));
    decode(BYTES, &super::ruleset::BuiltinSources::embedded().all())
}

/// The built-in pack as `build.rs` stored it: never, in the build script itself.
#[cfg(not(tally_prebuilt))]
pub fn builtin() -> Option<Pack> {
    None
}

thread_local! {
    /// The files that [`source_by_name`] finds rules' files among while a pack decodes.
    static FILES: RefCell<Vec<Arc<SourceFile>>> = const { RefCell::new(Vec::new()) };
}

/// A rule's or a layout's file, stored as its name and found again among the embedded files.
pub mod source_by_name {
    use super::FILES;
    use crate::source::SourceFile;
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};
    use std::sync::Arc;

    /// Stores the file's name.
    pub fn serialize<S: Serializer>(file: &Arc<SourceFile>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&file.name)
    }

    /// Finds the file of that name among the files being decoded against.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<SourceFile>, D::Error> {
        let name = <&str>::deserialize(d)?;
        FILES
            .with(|f| f.borrow().iter().find(|f| f.name == name).cloned())
            .ok_or_else(|| D::Error::custom(format!("no embedded file {name}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pack::builtin as parsed;
    use crate::rules::ruleset::BuiltinSources;

    fn sources() -> (BuiltinSources, Vec<Arc<SourceFile>>) {
        let sources = BuiltinSources::embedded();
        let all = sources.all();
        (sources, all)
    }

    #[test]
    fn the_stored_pack_is_the_parsed_pack() {
        let stored = builtin().expect("build.rs stored the built-in pack");
        let (sources, all) = sources();
        let parsed = parsed(sources).expect("the built-in pack loads");
        // Field for field, through the stored form (which names files and keeps every field
        // the checks use), and in the derived Debug form of what is not stored as such.
        assert_eq!(encode(&stored, &all), encode(&parsed, &all));
        let ids = |p: &Pack| {
            p.rules
                .rules
                .iter()
                .map(|r| r.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&stored), ids(&parsed));
        assert!(ids(&stored).len() > 100);
        assert_eq!(stored.hash, parsed.hash);
        assert_eq!(
            format!("{:?}", stored.rules.keyed_loops),
            format!("{:?}", parsed.rules.keyed_loops)
        );
        let layout = |p: &Pack| format!("{:?}", p.rules.layout.as_ref().map(|l| &l.root));
        assert_eq!(layout(&stored), layout(&parsed));
        let body = |p: &Pack| {
            format!(
                "{:?}",
                p.rules.rules.iter().map(|r| &r.body).collect::<Vec<_>>()
            )
        };
        assert_eq!(body(&stored), body(&parsed));
        // Each rule points into the files embedded in the binary, which diagnostics quote.
        assert!(stored.rules.rules.iter().all(|r| {
            all.iter()
                .any(|f| f.name == r.file.name && f.text == r.file.text)
        }));
    }

    #[test]
    fn a_pack_stored_from_other_files_or_bytes_is_not_used() {
        let (sources, all) = sources();
        let pack = parsed(sources).unwrap();
        let bytes: &'static [u8] = encode(&pack, &all).leak();
        assert!(decode(bytes, &all).is_some());
        // A rule file edited since: same name, another length.
        let mut edited = all.clone();
        edited[0] = Arc::new(SourceFile::new(
            edited[0].name.clone(),
            format!("{}\n", edited[0].text),
        ));
        assert!(decode(bytes, &edited).is_none());
        // A file added.
        let mut added = all.clone();
        added.push(Arc::new(SourceFile::new("<built-in>/new.tally", "")));
        assert!(decode(bytes, &added).is_none());
        // Nothing stored (the build script found errors), or bytes cut short.
        assert!(decode(&[], &all).is_none());
        assert!(decode(&bytes[..bytes.len() / 2], &all).is_none());
    }
}
