//! Bytes and durations in words, for the details of checks: what was sent
//! and what came back, short enough for one line.

use std::time::{Duration, Instant};

/// Bytes for a message: text in backquotes when printable, else a hex
/// start; always with the length when it is not tiny.
pub fn describe(bytes: &[u8]) -> String {
    const SHOWN: usize = 24;
    if bytes.is_empty() {
        return "an empty datagram (0 bytes)".to_string();
    }
    let shown = &bytes[..bytes.len().min(SHOWN)];
    let more = if bytes.len() > SHOWN { " …" } else { "" };
    let printable = bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
    let body = if printable {
        format!("`{}{more}`", String::from_utf8_lossy(shown))
    } else {
        let hex: Vec<String> = shown.iter().map(|b| format!("{b:02x}")).collect();
        format!("[{}{more}]", hex.join(" "))
    };
    format!("{body} ({})", byte_count(bytes.len()))
}

/// Bytes for a failure message: short ones in full, long ones by size
/// (the difference is pointed out separately).
pub fn shown(bytes: &[u8]) -> String {
    if bytes.len() <= 24 {
        describe(bytes)
    } else {
        byte_count(bytes.len())
    }
}

/// A passing check's short name for what was sent: the text if it is
/// short and printable, else its size.
pub fn brief(bytes: &[u8]) -> String {
    let printable = bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
    if bytes.is_empty() {
        "an empty datagram".to_string()
    } else if printable && bytes.len() <= 24 {
        format!("`{}`", String::from_utf8_lossy(bytes))
    } else {
        byte_count(bytes.len())
    }
}

/// `1 byte`, `512 bytes`.
pub fn byte_count(len: usize) -> String {
    if len == 1 {
        "1 byte".to_string()
    } else {
        format!("{len} bytes")
    }
}

/// Where two byte strings first differ, for a failure message.
pub fn first_difference(expected: &[u8], got: &[u8]) -> String {
    if expected.len() != got.len() {
        return format!(": {} bytes instead of {}", got.len(), expected.len());
    }
    match expected.iter().zip(got).position(|(a, b)| a != b) {
        Some(at) => format!(
            ": byte {at} is {:#04x} instead of {:#04x}",
            got[at], expected[at]
        ),
        None => String::new(),
    }
}

/// `2 s`, `500 ms`.
pub fn human(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{} ms", duration.as_millis())
    }
}

/// Time since `start`, for a passing check's detail.
pub fn elapsed(start: Instant) -> String {
    let micros = start.elapsed().as_micros();
    if micros < 1_000 {
        format!("{micros} µs")
    } else {
        format!("{:.1} ms", micros as f64 / 1_000.0)
    }
}

/// The bytes of a stream as text for a message: printable ASCII as is,
/// `\n` and `\r` and other bytes escaped, cut after `limit` characters.
pub fn quoted(bytes: &[u8], limit: usize) -> String {
    let mut text = String::new();
    for (count, chunk) in String::from_utf8_lossy(bytes).chars().enumerate() {
        if count == limit {
            text.push('…');
            break;
        }
        match chunk {
            '\n' => text.push_str("\\n"),
            '\r' => text.push_str("\\r"),
            '\t' => text.push_str("\\t"),
            c if c.is_control() => text.push_str(&format!("\\x{:02x}", c as u32)),
            c => text.push(c),
        }
    }
    format!("`{text}`")
}

/// `len` bytes of a recognisable pattern that is not text: a server that
/// treats the datagram as a string shows up.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_show_text_hex_and_length() {
        assert_eq!(describe(b"ping"), "`ping` (4 bytes)");
        assert_eq!(describe(&[0, 255]), "[00 ff] (2 bytes)");
        assert_eq!(describe(&[7]), "[07] (1 byte)");
        assert_eq!(brief(&[0; 512]), "512 bytes");
        assert_eq!(brief(b"ping"), "`ping`");
        assert_eq!(describe(b""), "an empty datagram (0 bytes)");
        assert_eq!(
            first_difference(b"abc", b"aBc"),
            ": byte 1 is 0x42 instead of 0x62"
        );
        assert_eq!(first_difference(b"abc", b"ab"), ": 2 bytes instead of 3");
    }

    #[test]
    fn quoted_text_escapes_line_ends_and_stops_at_the_limit() {
        assert_eq!(quoted(b"hi\r\n", 10), "`hi\\r\\n`");
        assert_eq!(quoted(b"abcdef", 3), "`abc…`");
        assert_eq!(quoted(&[0, b'a'], 10), "`\\x00a`");
    }
}
