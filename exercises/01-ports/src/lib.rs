//! Chapter 1, Addresses and ports: placeholder, being written.
