//! stub
use super::{Check, ProbeOptions};
use std::net::SocketAddr;
pub fn probe(_s: SocketAddr, _o: &ProbeOptions) -> Vec<Check> {
    vec![]
}
pub fn bounds(_o: &ProbeOptions) -> String {
    String::new()
}
pub const PORT: u16 = 69;
pub fn make_files(_d: &std::path::Path) -> anyhow::Result<Vec<(String, usize)>> {
    Ok(vec![])
}
