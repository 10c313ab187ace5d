//! The book's preprocessor (being written).

fn main() {}
