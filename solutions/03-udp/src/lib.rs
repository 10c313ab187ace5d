//! The model answer: placeholder, being written.
