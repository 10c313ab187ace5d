//! TFTP: placeholder, being written.
