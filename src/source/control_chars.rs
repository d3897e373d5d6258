//! Characters that would act on the reader's terminal instead of being shown.
//!
//! A dataset is shown back to the auditor: excerpts, values in messages, file names. An escape
//! character there could clear the screen, move the cursor up and erase earlier findings, or
//! set the window title; a bidirectional override could show `12.50` as `05.21`. YAML itself
//! does not allow the C0 and C1 controls in a stream (only tab, line feed and carriage return),
//! so tally refuses them in datasets, raw or written as escapes (`"\e"`), and replaces them in
//! file names.

/// True for a character tally refuses to show: C0 controls but tab, line feed and carriage
/// return; DEL; C1 controls; bidirectional embeddings, overrides and isolates.
pub fn is_forbidden(c: char) -> bool {
    matches!(c,
        '\0'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The first forbidden character in `text` and its byte offset.
///
/// Every file is scanned before it is parsed, so this works on bytes: in UTF-8 a forbidden
/// character starts with a C0 byte, DEL, `0xC2` (C1 controls) or `0xE2` (the bidirectional
/// controls), and only those lead bytes need a closer look. Decoding every character of a
/// Chinese dataset cost as much as a tenth of a check.
pub fn find(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(offset) = next_suspect(&bytes[at..]) {
        at += offset;
        // `at` is a character boundary: every suspect byte is ASCII or a lead byte.
        let c = text[at..].chars().next()?;
        if is_forbidden(c) {
            return Some((at, c));
        }
        at += c.len_utf8();
    }
    None
}

/// The offset of the first suspect byte (see [`SUSPECT`]). Blocks of 32 bytes are tested
/// with comparisons the compiler turns into vector instructions; only a block that holds a
/// suspect byte is searched byte by byte.
fn next_suspect(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 32;
    let mut start = 0;
    for block in bytes.chunks_exact(BLOCK) {
        let any = block.iter().fold(false, |any, &b| {
            any | (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r')
                | (b == 0x7f)
                | (b == 0xc2)
                | (b == 0xe2)
        });
        if any {
            break;
        }
        start += BLOCK;
    }
    bytes[start..]
        .iter()
        .position(|&b| SUSPECT[usize::from(b)])
        .map(|offset| start + offset)
}

/// The bytes that can start a forbidden character (see [`find`]).
static SUSPECT: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = !matches!(b as u8, b'\t' | b'\n' | b'\r');
        b += 1;
    }
    table[0x7f] = true;
    table[0xc2] = true;
    table[0xe2] = true;
    table
};

/// How a forbidden character is named in messages: `U+001B`.
pub fn name(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// `name` with every forbidden character, and line breaks and tabs, replaced by `?`: a file
/// name is shown on one line.
pub fn replaced(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_control() || is_forbidden(c) {
                '?'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_overrides_are_found_text_is_not() {
        assert_eq!(find("a: 1\n\tb: 收入\r\n"), None);
        assert_eq!(find("a: \u{1b}[2J"), Some((3, '\u{1b}')));
        assert_eq!(find("收入: \u{202e}05.21"), Some((8, '\u{202e}')));
        assert_eq!(find("x\u{85}"), Some((1, '\u{85}')));
        assert_eq!(name('\u{1b}'), "U+001B");
        assert_eq!(replaced("a\u{1b}[2J\n.yaml"), "a?[2J?.yaml");
    }

    proptest::proptest! {
        /// The byte scan finds exactly what decoding every character would find.
        #[test]
        fn the_byte_scan_agrees_with_decoding(text in "(\\PC|[\\x00-\\x1f\\x7f-\\u{9f}\\u{2000}-\\u{206f}]){0,200}") {
            let decoded = text.char_indices().find(|&(_, c)| is_forbidden(c));
            proptest::prop_assert_eq!(find(&text), decoded);
        }
    }
}
