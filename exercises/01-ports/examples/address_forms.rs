//! One IPv4 address, three ways of writing it: dotted decimal, a single
//! 32-bit number, and its 32 bits.
//!
//! ```text
//! cargo run -p ports --example address_forms
//! cargo run -p ports --example address_forms -- 192.168.1.77 255.255.255.0
//! ```

use std::env;
use std::net::Ipv4Addr;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut texts: Vec<String> = env::args().skip(1).collect();
    if texts.is_empty() {
        texts.push("192.168.1.1".to_string());
    }
    for text in &texts {
        let Ok(addr) = text.parse::<Ipv4Addr>() else {
            eprintln!("`{text}` is not an IPv4 address in dotted decimal");
            return ExitCode::FAILURE;
        };
        show_forms(addr);
    }
    ExitCode::SUCCESS
}

// ANCHOR: forms
/// Prints the address as people write it, as the number it is, and as bits.
fn show_forms(addr: Ipv4Addr) {
    // The standard library converts both ways: u32::from and Ipv4Addr::from.
    let number = u32::from(addr);
    println!("{addr}");
    println!("  as one number: {number}");
    println!("  in hex:        {number:#010x}");
    // `032b`: binary, padded with zeros to all 32 bits.
    println!("  as 32 bits:    {number:032b}");
}
// ANCHOR_END: forms
