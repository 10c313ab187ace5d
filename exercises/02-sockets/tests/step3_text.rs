// Don't change the tests! `cargo lab check` grades your src/ against the originals.

use sockets::step3_text::{
    Encoding, TextError, decode, encode, guess_encoding, misread,
};
use std::time::Duration;
use support::deadline;
use support::loopback::describe_bytes;

/// How long a test of pure computation may take: far more than it needs,
/// so that only an endless loop fails it.
const PURE: Duration = Duration::from_secs(5);

/// "你好" in UTF-8, the bytes Rust keeps in a `str`.
const NIHAO_UTF8: [u8; 6] = [0xe4, 0xbd, 0xa0, 0xe5, 0xa5, 0xbd];
/// "你好" in GBK, as older Chinese software sends it.
const NIHAO_GBK: [u8; 4] = [0xc4, 0xe3, 0xba, 0xc3];

/// "你好" has the well-known bytes in each encoding.
#[test]
fn encode_gives_the_known_bytes_of_nihao() {
    deadline(PURE, "encode gives the known bytes of nihao", || {
        let utf8 =
            encode("你好", Encoding::Utf8).expect("encoding 你好 as UTF-8 failed");
        assert_eq!(
            utf8,
            NIHAO_UTF8,
            "你好 in UTF-8 is e4 bd a0 e5 a5 bd, got {}",
            describe_bytes(&utf8)
        );
        let gbk =
            encode("你好", Encoding::Gbk).expect("encoding 你好 as GBK failed");
        assert_eq!(
            gbk,
            NIHAO_GBK,
            "你好 in GBK is c4 e3 ba c3, got {}",
            describe_bytes(&gbk)
        );
    });
}

/// Text survives a trip through either encoding and back.
#[test]
fn decode_undoes_encode_in_both_encodings() {
    deadline(PURE, "decode undoes encode in both encodings", || {
        let text = "你好, world! 网络编程 = network programming";
        for encoding in [Encoding::Utf8, Encoding::Gbk] {
            let bytes = encode(text, encoding).expect("encoding failed");
            let back =
                decode(&bytes, encoding).expect("decoding what was encoded failed");
            assert_eq!(back, text, "encoded to {encoding} and decoded back");
        }
        assert_eq!(decode(&NIHAO_GBK, Encoding::Gbk).unwrap(), "你好");
    });
}

/// Strict decoding and encoding refuse what does not fit, and say where.
#[test]
fn decode_and_encode_refuse_what_the_encoding_cannot_hold() {
    deadline(
        PURE,
        "decode and encode refuse what the encoding cannot hold",
        || {
            let mut bytes = b"Hi ".to_vec();
            bytes.extend_from_slice(&NIHAO_GBK);
            assert_eq!(
                decode(&bytes, Encoding::Utf8),
                Err(TextError::Malformed {
                    encoding: Encoding::Utf8,
                    valid_up_to: 3
                }),
                "`Hi ` then 你好 in GBK is not UTF-8 from byte 3 on"
            );
            // 0xff can start no character in GBK.
            assert_eq!(
                decode(b"ok\xff", Encoding::Gbk),
                Err(TextError::Malformed {
                    encoding: Encoding::Gbk,
                    valid_up_to: 2
                }),
                "`ok` then 0xff is not GBK from byte 2 on"
            );
            // 81 30 81 begins like a four-byte GBK character, but 41 ("A")
            // cannot end one: the decoder reads past the bad byte before it
            // knows, and valid_up_to must still point at the bad byte.
            assert_eq!(
                decode(&[0xcd, 0xf8, 0x81, 0x30, 0x81, 0x41, 0x42], Encoding::Gbk),
                Err(TextError::Malformed {
                    encoding: Encoding::Gbk,
                    valid_up_to: 2
                }),
                "网 (cd f8) then 81 30 81 41 42 is not GBK from byte 2 on (see \
                 \"Decoding as the bytes arrive\" for `read - bad - after`)"
            );
            assert_eq!(
                encode("hi 😀", Encoding::Gbk),
                Err(TextError::Unmappable {
                    encoding: Encoding::Gbk,
                    character: '😀'
                }),
                "GBK has no emoji: encoding `hi 😀` must fail on 😀"
            );
        },
    );
}

/// UTF-8 is recognised as UTF-8, GBK as GBK, and garbage as neither.
#[test]
fn guess_encoding_tells_utf8_from_gbk() {
    deadline(PURE, "guess encoding tells utf8 from gbk", || {
        assert_eq!(
            guess_encoding(&NIHAO_UTF8),
            Some(Encoding::Utf8),
            "你好 in UTF-8"
        );
        assert_eq!(
            guess_encoding(&NIHAO_GBK),
            Some(Encoding::Gbk),
            "你好 in GBK"
        );
        assert_eq!(
            guess_encoding(b"plain ASCII"),
            Some(Encoding::Utf8),
            "ASCII is valid UTF-8 (and GBK): prefer UTF-8"
        );
        let gbk = encode("网络编程", Encoding::Gbk)
            .expect("encoding 网络编程 as GBK failed");
        assert_eq!(guess_encoding(&gbk), Some(Encoding::Gbk), "网络编程 in GBK");
        assert_eq!(
            guess_encoding(&[0xff, 0xff]),
            None,
            "ff ff is neither UTF-8 nor GBK"
        );
    });
}

/// Reading one encoding as the other gives the classic mojibake.
#[test]
fn misread_shows_the_mojibake_of_disagreeing_encodings() {
    deadline(
        PURE,
        "misread shows the mojibake of disagreeing encodings",
        || {
            let seen = misread("你好", Encoding::Utf8, Encoding::Gbk)
                .expect("misread failed");
            assert_eq!(
                seen, "浣犲ソ",
                "the UTF-8 bytes of 你好 (e4 bd a0 e5 a5 bd) read as GBK are 浣犲ソ"
            );
            let seen = misread("你好", Encoding::Gbk, Encoding::Utf8)
                .expect("misread failed");
            assert_eq!(
                seen, "\u{fffd}\u{fffd}\u{fffd}",
                "the GBK bytes of 你好 (c4 e3 ba c3) are not UTF-8: a lenient decoder shows \
             three replacement characters"
            );
            assert_eq!(
                misread("你好", Encoding::Gbk, Encoding::Gbk).unwrap(),
                "你好",
                "when both sides agree, nothing goes wrong"
            );
        },
    );
}
