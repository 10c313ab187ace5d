//! Properties of option negotiation (`tftp::options`): what a server grants
//! stays within its limits, and a client accepts whatever a conforming
//! server grants.

use proptest::prelude::*;
use tftp::options::{Limits, Options};

/// Options a client may legitimately ask for.
fn asked() -> impl Strategy<Value = Options> {
    (
        proptest::option::of(8u16..=65464),
        proptest::option::of(1u8..=255),
        proptest::option::of(any::<u64>()),
        proptest::option::of(1u16..),
    )
        .prop_map(|(blksize, timeout, tsize, windowsize)| Options {
            blksize,
            timeout,
            tsize,
            windowsize,
        })
}

fn limits() -> impl Strategy<Value = Limits> {
    (8u16..=65464, 1u16..).prop_map(|(max_blksize, max_windowsize)| Limits {
        max_blksize,
        max_windowsize,
    })
}

proptest! {
    /// A request's options read back as they were sent.
    #[test]
    fn request_options_survive_the_wire(options in asked()) {
        prop_assert_eq!(Options::from_request(&options.to_pairs()), options);
    }

    /// A server never grants more than its limits, nor more than was asked,
    /// and never grants an option that was not asked for.
    #[test]
    fn grants_stay_within_limits_and_requests(options in asked(), limits in limits()) {
        let granted = Options::from_request(&options.to_pairs()).negotiate(&limits);
        if let Some(b) = granted.blksize {
            prop_assert!(b <= limits.max_blksize && Some(b) <= options.blksize && b >= 8);
        } else {
            prop_assert!(options.blksize.is_none());
        }
        if let Some(w) = granted.windowsize {
            prop_assert!(w <= limits.max_windowsize && Some(w) <= options.windowsize && w >= 1);
        } else {
            prop_assert!(options.windowsize.is_none());
        }
        prop_assert_eq!(granted.timeout, options.timeout);
    }

    /// Whatever a conforming server grants, the client that asked accepts,
    /// and agrees on the values in force.
    #[test]
    fn clients_accept_what_servers_grant(options in asked(), limits in limits()) {
        let granted = Options::from_request(&options.to_pairs()).negotiate(&limits);
        let in_force = options.check_oack(&granted.to_pairs());
        prop_assert_eq!(in_force, Ok(granted));
    }

    /// A server may leave any option out of its OACK; the client then uses
    /// that option's default.
    #[test]
    fn clients_accept_an_oack_that_drops_options(options in asked(), keep in any::<[bool; 4]>()) {
        let pairs: Vec<(String, String)> = options
            .to_pairs()
            .into_iter()
            .zip(keep)
            .filter_map(|(pair, keep)| keep.then_some(pair))
            .collect();
        let in_force = options.check_oack(&pairs);
        prop_assert!(in_force.is_ok(), "{:?} refused for {:?}", pairs, options);
    }

    /// An OACK that raises blksize or windowsize above the request, or
    /// grants an option never asked for, is refused.
    #[test]
    fn clients_refuse_what_was_not_asked(options in asked()) {
        if let Some(b) = options.blksize.filter(|b| *b < 65464) {
            let raised = vec![("blksize".to_string(), (b + 1).to_string())];
            prop_assert!(options.check_oack(&raised).is_err());
        }
        if let Some(w) = options.windowsize.filter(|w| *w < u16::MAX) {
            let raised = vec![("windowsize".to_string(), (w + 1).to_string())];
            prop_assert!(options.check_oack(&raised).is_err());
        }
        if options.windowsize.is_none() {
            let unasked = vec![("windowsize".to_string(), "4".to_string())];
            prop_assert!(options.check_oack(&unasked).is_err());
        }
        let unknown = vec![("colour".to_string(), "blue".to_string())];
        prop_assert!(options.check_oack(&unknown).is_err());
    }

    /// Nonsense in a request is ignored, never a panic.
    #[test]
    fn any_request_options_are_read_without_panicking(
        pairs in proptest::collection::vec(("[a-zA-Z]{0,12}", "[0-9a-z-]{0,24}"), 0..8)
    ) {
        let pairs: Vec<(String, String)> = pairs;
        let options = Options::from_request(&pairs);
        let _ = options.negotiate(&Limits::default());
    }
}
