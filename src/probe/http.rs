//! stub
use super::{Check, ProbeOptions};
use std::net::SocketAddr;
pub fn probe(_s: SocketAddr, _o: &ProbeOptions) -> Vec<Check> {
    vec![]
}
pub fn bounds(_o: &ProbeOptions) -> String {
    String::new()
}
pub fn check_path(_p: &str) -> anyhow::Result<()> {
    Ok(())
}
