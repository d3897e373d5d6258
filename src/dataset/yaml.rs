//! Loading YAML into a [`Node`] tree with byte spans, driven event by event.
//!
//! saphyr's own recursive loader overflows the stack on deeply nested input, so tally drives
//! `saphyr_parser` itself with an explicit stack and a depth limit. saphyr counts positions in
//! characters; diagnostics want byte offsets, which `CharToByte` converts.

use crate::dataset::file_error::FileError;
use crate::dataset::{Entry, Node, NodeKind, Text, plain_scalar};
use crate::source::{SourceFile, Span};
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as YSpan};
// foldhash: keys are hashed once per key of the file; SipHash was 3% of a check. Seeded per
// process, so a hostile file cannot aim for collisions.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::cell::RefCell;
use std::sync::Arc;

/// Limits that keep hostile input from exhausting the machine.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_file_size: u64,
    /// Deepest nesting of lists and mappings. Trees are copied and dropped recursively, so
    /// keep it within the command line's bound of 1000.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 512 * 1024 * 1024,
            max_depth: 128,
        }
    }
}

/// Nodes an alias may copy in all, beyond the nodes written in the file: aliases are rare in
/// datasets, and an "alias bomb" (each level aliasing the previous one ten times) would
/// otherwise grow exponentially.
const ALIAS_BUDGET: usize = 100_000;

/// Parses the text of `file` from byte `base` on (after any BOM) into its root. Texts in the
/// tree share the file's text (see [`Text`]).
pub fn parse(file: &Arc<SourceFile>, base: usize, limits: Limits) -> Result<Node, FileError> {
    let text = file.text.get(base..).unwrap_or("");
    let mut loader = Loader {
        file,
        pos: CharToByte::new(text, base),
        stack: Vec::new(),
        items: Vec::new(),
        entries: Vec::new(),
        anchors: HashMap::new(),
        keys: KEYS.take(),
        alias_nodes: 0,
        scalar_text: HashMap::new(),
        root: None,
        documents: 0,
        limits,
    };
    let root = loader.read(text);
    if loader.keys.len() <= KEPT_KEYS {
        KEYS.set(loader.keys);
    }
    root
}

thread_local! {
    /// The mapping keys of the files read on this thread so far. Files of a folder share
    /// most of their keys, so a file mostly finds its keys already allocated (and the key
    /// table already grown); an allocation and a free per distinct key and file were a
    /// tenth of building the tree.
    static KEYS: RefCell<HashSet<Arc<str>>> = RefCell::new(HashSet::new());
}

/// The most keys [`KEYS`] carries on to the next file: a file of many distinct keys (say,
/// a table keyed by id) leaves them to be freed with it.
const KEPT_KEYS: usize = 4096;

/// A list or mapping being read. Its items (entries) so far are those of the loader's
/// `items` (`entries`) from `first` on.
enum Frame {
    List {
        start: usize,
        anchor: usize,
        first: usize,
    },
    Map {
        start: usize,
        anchor: usize,
        first: usize,
        key: Option<(Arc<str>, Span)>,
        /// Keys seen, once a mapping grows large enough that a linear search would be slow.
        index: Option<HashMap<Arc<str>, usize>>,
    },
}

struct Loader<'a> {
    /// The file, which texts share.
    file: &'a Arc<SourceFile>,
    pos: CharToByte<'a>,
    stack: Vec<Frame>,
    /// The items of the open lists, innermost last: one growing stack instead of a vector per
    /// list, so that a closed list is copied once into a slice of the right size.
    items: Vec<Node>,
    /// The entries of the open mappings, likewise.
    entries: Vec<Entry>,
    /// Anchored nodes with the number of nodes each holds.
    anchors: HashMap<usize, (Node, usize)>,
    /// Every distinct mapping key of the file (and of earlier files, see [`KEYS`]), shared by
    /// the mappings that use it: a table of 300,000 rows repeats the same few keys.
    keys: HashSet<Arc<str>>,
    alias_nodes: usize,
    /// The text of anchored scalars, as written, for aliases used as keys.
    scalar_text: HashMap<usize, Box<str>>,
    root: Option<Node>,
    documents: usize,
    limits: Limits,
}

impl Loader<'_> {
    /// Reads the events of `text` into the root.
    fn read(&mut self, text: &str) -> Result<Node, FileError> {
        for next in Parser::new_from_str(text) {
            match next {
                Ok((event, span)) => self.event(event, span)?,
                Err(e) => return Err(self.scan_error(&e)),
            }
        }
        self.root.take().ok_or_else(|| {
            FileError::new(
                "empty-dataset",
                "the file holds no data (an empty YAML document)",
            )
        })
    }

    /// The error for what saphyr could not read.
    #[cold]
    fn scan_error(&mut self, e: &ScanError) -> FileError {
        let at = self.pos.byte(e.marker().index());
        // saphyr's scanner has its own limit on flow nesting (`[[[[…`), met before ours.
        let error = if e.info().contains("recursion limit") {
            FileError::new(
                "nesting-too-deep",
                "the data is nested too deeply for the YAML reader (more than 256 levels of `[` or `{`)",
            )
        } else {
            FileError::new("yaml-syntax", format!("not valid YAML: {}", e.info()))
        };
        error.at(Span::new(at, at))
    }

    fn span(&mut self, span: YSpan) -> Span {
        let start = self.pos.byte(span.start.index());
        // Half the events (starts and ends of lists and mappings) are empty spans.
        let end = if span.end.index() == span.start.index() {
            start
        } else {
            self.pos.byte(span.end.index())
        };
        Span::new(start, end)
    }

    fn event(&mut self, event: Event<'_>, yspan: YSpan) -> Result<(), FileError> {
        let mut span = self.span(yspan);
        // The parser's span of a quoted scalar runs on over the spaces and comment after it;
        // a label on the value must end at its closing quote.
        if let Event::Scalar(_, style @ (ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted), ..) =
            &event
            && let Some(end) = quoted_end(&self.file.text, span, *style)
        {
            span.end = end as u32;
        }
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(FileError::new(
                        "yaml-multiple-documents",
                        "the file holds more than one YAML document; a dataset is one document",
                    )
                    .at(span));
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                // Raw control characters were refused with the file's text; only a
                // double-quoted scalar can hold more, written as escapes (`"\e"`).
                if style == ScalarStyle::DoubleQuoted
                    && let Some((_, c)) = crate::source::control_chars::find(&value)
                {
                    return Err(FileError::new(
                        "control-character",
                        format!(
                            "this value holds the control character {} (written as an escape), \
                             which would act on the terminal instead of being shown",
                            crate::source::control_chars::name(c)
                        ),
                    )
                    .at(span));
                }
                let is_text =
                    style != ScalarStyle::Plain || tag.as_ref().is_some_and(|t| t.suffix == "str");
                if anchor > 0 {
                    self.scalar_text.insert(anchor, value.as_ref().into());
                }
                if self.expecting_key() {
                    // An anchored key (`&k name: …`) can be aliased later, as a key or a value.
                    if anchor > 0 {
                        let node = Node {
                            span,
                            kind: NodeKind::Text(Text::copied(&value)),
                        };
                        self.anchors.insert(anchor, (node, 1));
                    }
                    let key = self.intern(&value);
                    return self.key(key, span);
                }
                let node = if is_text {
                    // A quoted text starts after its quote. (Where the file does not hold the
                    // value there, as with escapes, `Text::read` copies it.)
                    let at = span.start as usize + usize::from(style != ScalarStyle::Plain);
                    Node {
                        span,
                        kind: NodeKind::Text(Text::read(self.file, at, &value)),
                    }
                } else {
                    plain_scalar(&value, span, self.file)
                };
                self.finish(node, anchor, 1)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open(span)?;
                self.stack.push(Frame::List {
                    start: span.start as usize,
                    anchor,
                    first: self.items.len(),
                });
            }
            Event::MappingStart(anchor, _) => {
                self.open(span)?;
                self.stack.push(Frame::Map {
                    start: span.start as usize,
                    anchor,
                    first: self.entries.len(),
                    key: None,
                    index: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span)?,
            Event::Alias(id) => self.alias(id, span)?,
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    /// Checks a new list or mapping: not as a key, and not too deep.
    fn open(&mut self, span: Span) -> Result<(), FileError> {
        if self.expecting_key() {
            return Err(FileError::new(
                "yaml-unsupported",
                "a list or mapping used as a mapping key is not supported",
            )
            .at(span));
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(FileError::new(
                "nesting-too-deep",
                format!(
                    "the data is nested more than {} levels deep (see --max-depth)",
                    self.limits.max_depth
                ),
            )
            .at(Span::new(span.start as usize, span.start as usize + 1)));
        }
        Ok(())
    }

    // Inlined, like `key` and `finish`: they run once per key or value, and the calls (with
    // their saved registers) cost as much as a fifth of their work.
    #[inline(always)]
    fn intern(&mut self, key: &str) -> Arc<str> {
        if let Some(shared) = self.keys.get(key) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(key);
        self.keys.insert(shared.clone());
        shared
    }

    #[inline(always)]
    fn key(&mut self, key: Arc<str>, span: Span) -> Result<(), FileError> {
        let Some(Frame::Map {
            first,
            key: slot,
            index,
            ..
        }) = self.stack.last_mut()
        else {
            unreachable!("key: only called when a mapping expects a key")
        };
        let entries = &self.entries[*first..];
        let earlier = match index {
            Some(index) => index.get(&key).copied(),
            // Keys are interned per file: equal keys are the same allocation.
            None => entries.iter().position(|e| Arc::ptr_eq(&e.key, &key)),
        };
        if let Some(i) = earlier {
            return Err(FileError::new(
                "yaml-duplicate-key",
                format!("duplicate key `{key}` in a mapping"),
            )
            .at(span)
            .with_note(entries[i].key_span, "first defined here"));
        }
        *slot = Some((key, span));
        Ok(())
    }

    fn close(&mut self, end: Span) -> Result<(), FileError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let (node, anchor) = match frame {
            Frame::List {
                start,
                anchor,
                first,
            } => (
                Node {
                    span: Span::new(start, end.end as usize),
                    kind: NodeKind::List(take_from(&mut self.items, first)),
                },
                anchor,
            ),
            Frame::Map {
                start,
                anchor,
                first,
                ..
            } => (
                Node {
                    span: Span::new(start, end.end as usize),
                    kind: NodeKind::Map(take_from(&mut self.entries, first)),
                },
                anchor,
            ),
        };
        let count = if anchor > 0 { count_nodes(&node) } else { 0 };
        self.finish(node, anchor, count)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), FileError> {
        let Some((node, count)) = self.anchors.get(&id) else {
            return Err(FileError::new("yaml-syntax", "alias to an unknown anchor").at(span));
        };
        self.alias_nodes += count;
        if self.alias_nodes > ALIAS_BUDGET {
            return Err(FileError::new(
                "yaml-alias-bomb",
                format!(
                    "aliases expand to more than {ALIAS_BUDGET} values (an \"alias bomb\"); \
                     write the data out instead"
                ),
            )
            .at(span));
        }
        let mut node = node.clone();
        if self.expecting_key() {
            let Some(text) = self.scalar_text.get(&id).cloned() else {
                return Err(FileError::new(
                    "yaml-unsupported",
                    "a list or mapping used as a mapping key is not supported",
                )
                .at(span));
            };
            let key = self.intern(&text);
            return self.key(key, span);
        }
        // The copy points at the alias, where the reader will look for it.
        node.span = span;
        self.finish(node, 0, 0)
    }

    /// Places a complete node into its parent (or as the root), remembering anchors.
    #[inline(always)]
    fn finish(&mut self, node: Node, anchor: usize, count: usize) -> Result<(), FileError> {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), count.max(1)));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::List { .. }) => self.items.push(node),
            Some(Frame::Map {
                first, key, index, ..
            }) => {
                let entries = &mut self.entries;
                let count = entries.len() - *first;
                let (key, key_span) = key.take().expect("a value follows its key");
                // Indexes count from the mapping's first entry.
                if let Some(index) = index {
                    index.insert(key.clone(), count);
                } else if count >= 16 {
                    let mut map: HashMap<Arc<str>, usize> = entries[*first..]
                        .iter()
                        .enumerate()
                        .map(|(i, e)| (e.key.clone(), i))
                        .collect();
                    map.insert(key.clone(), count);
                    *index = Some(map);
                }
                entries.push(Entry {
                    key,
                    key_span,
                    value: node,
                });
            }
        }
        Ok(())
    }
}

/// The items of `v` from `first` on, taken out into a slice of their own. `split_off` moves
/// them with one copy of memory where collecting a `drain` moved them one by one; but from 0
/// it hands over the whole buffer and allocates another as large, so that case drains.
fn take_from<T>(v: &mut Vec<T>, first: usize) -> Box<[T]> {
    if first == 0 {
        v.drain(..).collect()
    } else {
        v.split_off(first).into_boxed_slice()
    }
}

/// Number of nodes in a tree (iterative: trees may be deep).
fn count_nodes(node: &Node) -> usize {
    let mut count = 0;
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        count += 1;
        match &n.kind {
            NodeKind::List(items) => todo.extend(items),
            NodeKind::Map(entries) => todo.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    count
}

/// Converts saphyr's character indexes to byte offsets.
///
/// Events arrive in file order, so a cursor that moves forward makes the conversion linear in
/// the file; it moves a machine word (8 bytes) at a time while that cannot overshoot. For a
/// step back (not seen in practice, but cheap to allow), the cursor restarts from a
/// checkpoint recorded about every [`CHECKPOINT`] characters on the way forward, never from
/// the beginning.
struct CharToByte<'a> {
    text: &'a str,
    base: usize,
    ascii: bool,
    /// The cursor: `char_idx` characters start before byte `byte_idx`.
    char_idx: usize,
    byte_idx: usize,
    /// (character, byte) pairs of the cursor, in increasing order, one about every
    /// [`CHECKPOINT`] characters.
    checkpoints: Vec<(usize, usize)>,
}

const CHECKPOINT: usize = 1024;

impl<'a> CharToByte<'a> {
    fn new(text: &'a str, base: usize) -> Self {
        let ascii = text.is_ascii();
        // At most one checkpoint every CHECKPOINT characters (so bytes): never a reallocation.
        // ASCII text needs none.
        let mut checkpoints = Vec::with_capacity(if ascii {
            1
        } else {
            text.len() / CHECKPOINT + 1
        });
        checkpoints.push((0, 0));
        CharToByte {
            text,
            base,
            ascii,
            char_idx: 0,
            byte_idx: 0,
            checkpoints,
        }
    }

    /// The byte offset of character `char_idx`.
    #[inline(always)]
    fn byte(&mut self, char_idx: usize) -> usize {
        if self.ascii {
            return self.base + char_idx.min(self.text.len());
        }
        match self.short_step(char_idx) {
            Some(byte_idx) => self.base + byte_idx,
            None => self.base + self.far(char_idx),
        }
    }

    /// The commonest step, inline: forward over fewer than 8 ASCII characters (a key, a
    /// number, `: `), which are as many bytes. `None` for any other step.
    #[inline]
    fn short_step(&mut self, char_idx: usize) -> Option<usize> {
        let chars = char_idx.checked_sub(self.char_idx).filter(|&c| c < 8)?;
        let word = self.text.as_bytes().get(self.byte_idx..self.byte_idx + 8)?;
        if !ascii_run(u64::from_le_bytes(word.try_into().ok()?), chars) {
            return None;
        }
        self.char_idx = char_idx;
        self.byte_idx += chars;
        Some(self.byte_idx)
    }

    /// Any other step: forward word by word, or back from a checkpoint. The byte offset in
    /// `text`.
    fn far(&mut self, char_idx: usize) -> usize {
        if char_idx < self.char_idx {
            let k = (char_idx / CHECKPOINT).min(self.checkpoints.len() - 1);
            let back = self.checkpoints[..=k]
                .iter()
                .rposition(|&(c, _)| c <= char_idx)
                .unwrap_or(0);
            (self.char_idx, self.byte_idx) = self.checkpoints[back];
        }
        let (byte_idx, chars) = advance(
            self.text.as_bytes(),
            self.byte_idx,
            char_idx - self.char_idx,
        );
        self.byte_idx = byte_idx;
        self.char_idx = char_idx - chars;
        // Short steps skip this, so a checkpoint may be recorded a few characters late,
        // which only matters to a step back, and then not for correctness.
        if self.char_idx >= self.checkpoints.len() * CHECKPOINT {
            self.checkpoints.push((self.char_idx, self.byte_idx));
        }
        self.byte_idx
    }
}

/// Moves from byte `at` (the start of a character, or inside one) over `chars` characters of
/// valid UTF-8: the byte where the next character then starts, and how many of the `chars`
/// were left when the text ended.
///
/// Works a machine word (8 bytes) at a time: while at least 8 characters are left, a word
/// cannot overshoot and is skipped whole; the last word is searched for the lead byte after
/// the first `chars` ones. Steps between events are short and often end in Chinese text.
fn advance(bytes: &[u8], mut at: usize, mut chars: usize) -> (usize, usize) {
    while let Some(word) = bytes.get(at..at + 8) {
        let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        if chars >= 8 {
            chars -= count_flags(lead_bytes(w));
            at += 8;
            continue;
        }
        // Most steps between two events are a few ASCII characters (a key, a number, spaces):
        // then they are as many bytes.
        if ascii_run(w, chars) {
            return (at + chars, 0);
        }
        let mut leads = lead_bytes(w);
        if count_flags(leads) <= chars {
            chars -= count_flags(leads);
            at += 8;
            continue;
        }
        // Drop the `chars` lowest lead bytes (fewer than 8): the lowest left starts the
        // character wanted.
        for _ in 0..chars {
            leads &= leads - 1;
        }
        return (at + (leads.trailing_zeros() / 8) as usize, 0);
    }
    // The last few bytes one by one.
    while let Some(&b) = bytes.get(at) {
        if b & 0xc0 != 0x80 {
            if chars == 0 {
                break;
            }
            chars -= 1;
        }
        at += 1;
    }
    (at, chars)
}

/// The high bit of every byte of a word.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// True when the first `chars` (fewer than 8) bytes of the word `w` (8 bytes read
/// little-endian: the first is lowest) are ASCII and it does not start inside a character:
/// then `chars` characters are `chars` bytes.
#[inline(always)]
fn ascii_run(w: u64, chars: usize) -> bool {
    let first = HIGH & ((1u64 << (8 * chars)) - 1);
    w & first == 0 && (w as u8) & 0xc0 != 0x80
}

/// The high bit of each byte of `w` that starts a character: any byte but a continuation
/// byte, `0b10xx_xxxx`. (Shifting moves each byte's bit 6 to its bit 7, never across bytes.)
fn lead_bytes(w: u64) -> u64 {
    !(w & !(w << 1)) & HIGH
}

/// How many bytes of a [`lead_bytes`] mask are flagged: their sum by multiplication, as
/// `count_ones` has no instruction on baseline x86-64.
fn count_flags(flags: u64) -> usize {
    ((flags >> 7).wrapping_mul(0x0101_0101_0101_0101) >> 56) as usize
}

/// One past the closing quote of the quoted scalar whose span is `span` (within it), if the
/// file holds the quotes there: `''` inside single quotes and `\"` (or `\\`) inside double
/// quotes do not close it.
fn quoted_end(text: &str, span: Span, style: ScalarStyle) -> Option<usize> {
    let bytes = text
        .as_bytes()
        .get(span.start as usize..span.end as usize)?;
    let quote = if style == ScalarStyle::SingleQuoted {
        b'\''
    } else {
        b'"'
    };
    if bytes.first() != Some(&quote) {
        return None;
    }
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Some(span.start as usize + i + 1),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Node, FileError> {
        parse(
            &Arc::new(SourceFile::new("t.yaml", text)),
            0,
            Limits::default(),
        )
    }

    #[test]
    fn numbers_keep_their_source_text_and_spans() {
        let text = "收入:\n  合计: 447.00\n  big: 12345678901234567.89\n";
        let root = load(text).unwrap();
        let total = root.at("收入.合计").unwrap();
        assert_eq!(&text[total.span.range()], "447.00");
        let NodeKind::Number(n) = &total.kind else {
            panic!()
        };
        assert_eq!(n.value().to_string(), "447.00");
        let big = root.at("收入.big").unwrap();
        assert_eq!(&text[big.span.range()], "12345678901234567.89");
    }

    #[test]
    fn a_quoted_value_ends_at_its_closing_quote() {
        let text = "a: \"1,000\"   # c\nb: 'it''s'  # d\nc: \"q\\\"x\"\n";
        let file = Arc::new(SourceFile::new("t.yaml", text));
        let root = parse(&file, 0, Limits::default()).unwrap();
        for (key, want) in [("a", "\"1,000\""), ("b", "'it''s'"), ("c", "\"q\\\"x\"")] {
            assert_eq!(file.text(root.get(key).unwrap().span), want);
        }
    }

    #[test]
    fn quoted_scalars_are_text() {
        let root = load("a: \"12\"\nb: '3.5'\nc: 12\n").unwrap();
        assert!(matches!(root.get("a").unwrap().kind, NodeKind::Text(_)));
        assert!(matches!(root.get("b").unwrap().kind, NodeKind::Text(_)));
        assert!(matches!(root.get("c").unwrap().kind, NodeKind::Number(_)));
    }

    #[test]
    fn duplicate_keys_are_errors_at_the_second() {
        let text = "a: 1\nb: 2\na: 3\n";
        let err = load(text).unwrap_err();
        assert_eq!(err.code, "yaml-duplicate-key");
        assert_eq!(err.span.unwrap().start as usize, text.rfind('a').unwrap());
    }

    #[test]
    fn keys_carried_over_from_earlier_files_still_catch_duplicates() {
        let first = load("a: 1\nb: {c: 2}\n").unwrap();
        let second = load("c: 1\nb: 2\n").unwrap();
        let (NodeKind::Map(first), NodeKind::Map(second)) = (&first.kind, &second.kind) else {
            panic!()
        };
        assert!(Arc::ptr_eq(&first[1].key, &second[1].key), "shared `b`");
        let text = "b: 1\na: 2\nb: 3\n";
        let err = load(text).unwrap_err();
        assert_eq!(err.code, "yaml-duplicate-key");
        assert_eq!(err.span.unwrap().start as usize, text.rfind('b').unwrap());
    }

    #[test]
    fn take_from_takes_the_tail_and_keeps_the_head() {
        let mut v = vec![1, 2, 3, 4];
        assert_eq!(&*take_from(&mut v, 1), [2, 3, 4]);
        assert_eq!(v, [1]);
        assert_eq!(&*take_from(&mut v, 0), [1]);
        assert!(v.is_empty());
        assert!(take_from(&mut v, 0).is_empty());
    }

    #[test]
    fn large_mappings_still_catch_duplicates() {
        let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k7: 1\n");
        assert_eq!(load(&text).unwrap_err().code, "yaml-duplicate-key");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = "[".repeat(100_000);
        assert_eq!(load(&text).unwrap_err().code, "nesting-too-deep");
        let text = "{a: ".repeat(100_000);
        assert_eq!(load(&text).unwrap_err().code, "nesting-too-deep");
        let block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert_eq!(load(&block).unwrap_err().code, "nesting-too-deep");
    }

    #[test]
    fn aliases_copy_and_bombs_stop() {
        let root = load("a: &x {v: 1}\nb: *x\n").unwrap();
        assert!(root.at("b.v").is_some());
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        assert_eq!(load(&bomb).unwrap_err().code, "yaml-alias-bomb");
    }

    /// The text of every value, and whether it is shared with the file.
    fn texts(yaml: &str) -> Vec<(String, bool)> {
        let file = Arc::new(SourceFile::new("t.yaml", yaml));
        let root = parse(&file, 0, Limits::default()).unwrap();
        let NodeKind::Map(entries) = &root.kind else {
            panic!("not a mapping")
        };
        entries
            .iter()
            .map(|e| match &e.value.kind {
                NodeKind::Text(t) => (t.to_string(), t.is_in(&file)),
                other => panic!("{}: {other:?}", e.key),
            })
            .collect()
    }

    #[test]
    fn texts_written_verbatim_share_the_file_and_others_are_copied() {
        let yaml = "a: 名称 甲\nb: \"引号\"\nc: '单引号'\nd: \"a\\\"b\\u00e9\"\ne: 'it''s'\n\
                    f: two\n  lines\ng: |\n  block\nh: !!str 123\ni: \"\"\n";
        let got = texts(yaml);
        let want = [
            ("名称 甲", true),
            ("引号", true),
            ("单引号", true),
            ("a\"bé", false),
            ("it's", false),
            ("two lines", false),
            ("block\n", false),
            // saphyr's place for a tagged scalar starts at the tag.
            ("123", false),
            ("", true),
        ];
        let want: Vec<(String, bool)> = want.iter().map(|(t, s)| (t.to_string(), *s)).collect();
        assert_eq!(got, want);
    }

    proptest::proptest! {
        /// Whatever a text holds and however it is quoted, its value is the text: shared with
        /// the file or copied, never a wrong range of it.
        #[test]
        fn a_text_reads_back_as_written(
            text in "[a-z名 \"'\\\\:#é\t-]{0,12}",
            style in 0..2usize,
        ) {
            let written = match style {
                // JSON's escaping is valid YAML for a double-quoted scalar.
                0 => serde_json::to_string(&text).unwrap(),
                _ => format!("'{}'", text.replace('\'', "''")),
            };
            let yaml = format!("x: 1\nv: {written}\nw: {written}\n");
            let got = texts(&yaml[5..]);
            proptest::prop_assert_eq!(&got[0].0, &text);
            proptest::prop_assert_eq!(&got[1].0, &text);
        }
    }

    #[test]
    fn aliases_as_keys_keep_their_text() {
        let root = load("a: &n 2020\n&t b: x\nc: {*n : 1, *t : 2}\nd: *t\n").unwrap();
        let NodeKind::Map(c) = &root.at("c").unwrap().kind else {
            panic!()
        };
        let keys: Vec<&str> = c.iter().map(|e| &*e.key).collect();
        assert_eq!(keys, ["2020", "b"]);
        assert_eq!(root.at("d").and_then(Node::as_text), Some("b"));
        let err = load("a: &m {v: 1}\nc: {*m : 1}\n").unwrap_err();
        assert_eq!(err.code, "yaml-unsupported");
    }

    #[test]
    fn syntax_errors_have_a_place() {
        let err = load("a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(err.code, "yaml-syntax");
        assert!(err.span.is_some());
    }

    #[test]
    fn empty_input_is_an_error() {
        assert_eq!(load("").unwrap_err().code, "empty-dataset");
        assert_eq!(
            load("# only a comment\n").unwrap_err().code,
            "empty-dataset"
        );
    }

    #[test]
    fn char_to_byte_counts_characters_of_every_width() {
        let text = "aé三😀b\n";
        let mut pos = CharToByte::new(text, 3);
        let expected: Vec<usize> = text.char_indices().map(|(b, _)| b + 3).collect();
        for (c, &b) in expected.iter().enumerate() {
            assert_eq!(pos.byte(c), b);
        }
        assert_eq!(pos.byte(100), 3 + text.len());
        assert_eq!(pos.byte(1), 4); // a step back
    }

    #[test]
    fn char_to_byte_steps_back_through_checkpoints() {
        let text: String = "名".repeat(5000);
        let mut pos = CharToByte::new(&text, 3);
        assert_eq!(pos.byte(4000), 3 + 4000 * 3);
        assert_eq!(pos.byte(1500), 3 + 1500 * 3);
        assert_eq!(pos.byte(10), 3 + 30);
        assert_eq!(pos.byte(4999), 3 + 4999 * 3);
        assert_eq!(
            pos.byte(6000),
            3 + 5000 * 3,
            "past the end stays at the end"
        );
    }

    /// The byte offset of every character of `text`, and of its end.
    fn char_offsets(text: &str) -> Vec<usize> {
        let mut offsets: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        offsets.push(text.len());
        offsets
    }

    proptest::proptest! {
        /// Any sequence of look-ups, forward or back, gives the offsets `char_indices` gives.
        #[test]
        fn char_to_byte_agrees_with_char_indices(
            text in "[a-z 名😀é\n]{0,300}",
            lookups in proptest::collection::vec(0usize..320, 1..40),
        ) {
            let offsets = char_offsets(&text);
            let mut pos = CharToByte::new(&text, 7);
            for c in lookups {
                let want = 7 + offsets[c.min(offsets.len() - 1)];
                proptest::prop_assert_eq!(pos.byte(c), want, "character {}", c);
            }
        }

        /// Walking forward in short steps, as events do, gives the same offsets: every step
        /// ends at a character of any width, after ASCII or not.
        #[test]
        fn char_to_byte_short_steps_agree_with_char_indices(
            text in "[a-z :名😀é\n]{0,200}",
            steps in proptest::collection::vec(0usize..12, 1..60),
        ) {
            let offsets = char_offsets(&text);
            let mut pos = CharToByte::new(&text, 3);
            let mut c = 0;
            for step in steps {
                c += step;
                let want = 3 + offsets[c.min(offsets.len() - 1)];
                proptest::prop_assert_eq!(pos.byte(c), want, "character {}", c);
            }
        }
    }

    #[test]
    fn multibyte_positions_are_bytes() {
        let text = "名称: 一般公共服务\n金额: 1308.16\n";
        let root = load(text).unwrap();
        let amount = root.get("金额").unwrap();
        assert_eq!(&text[amount.span.range()], "1308.16");
    }
}
