//! Chapter 3, UDP: placeholder, being written.
