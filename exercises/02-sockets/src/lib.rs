//! Chapter 2, Sockets: placeholder, being written.
