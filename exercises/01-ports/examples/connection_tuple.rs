//! One host, many services, many connections: two services listen on their
//! own ports of 127.0.0.1, and two clients connect to the same one. Every
//! connection is told apart by its four numbers: the client's address and
//! port, the server's address and port.
//!
//! Give a number of seconds (at most 120) to keep the connections open that
//! long, so that you can look at them with `ss -tn` from another terminal.
//!
//! ```text
//! cargo run -p ports --example connection_tuple
//! cargo run -p ports --example connection_tuple -- 30
//! ```

use std::io;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

fn main() -> io::Result<()> {
    let hold_secs: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
        .min(120);

    // ANCHOR: tuple
    // Two services on one host, each on its own port.
    let web = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let mail = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    println!("web service listens on  {}", web.local_addr()?);
    println!("mail service listens on {}\n", mail.local_addr()?);

    // Two clients of the web service, and one of the mail service.
    let timeout = Duration::from_secs(2);
    let clients = [
        TcpStream::connect_timeout(&web.local_addr()?, timeout)?,
        TcpStream::connect_timeout(&web.local_addr()?, timeout)?,
        TcpStream::connect_timeout(&mail.local_addr()?, timeout)?,
    ];
    for client in &clients {
        // local_addr: this end; peer_addr: the other end.
        println!("TCP  {} <-> {}", client.local_addr()?, client.peer_addr()?);
    }
    // ANCHOR_END: tuple
    println!("\nOne server port, two connections: the client ports differ.");

    if hold_secs > 0 {
        println!("keeping the connections open for {hold_secs} s: try `ss -tn`");
        thread::sleep(Duration::from_secs(hold_secs));
    }
    Ok(())
}
