//! A connection's life in the states of RFC 9293, as `ss -tan` shows them:
//! LISTEN, ESTABLISHED on both ends, FIN-WAIT-2 and CLOSE-WAIT after the
//! client closes its half, TIME-WAIT after the server closes too.
//!
//! Run it: `cargo run -p tcp --example states` (Linux, needs `ss`)

use std::io::{self, Read};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::Command;
use std::thread;
use std::time::Duration;

fn main() -> io::Result<()> {
    // ANCHOR: life
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    show("after bind and listen", port);

    let mut client = TcpStream::connect(("127.0.0.1", port))?;
    let (mut server, _) = listener.accept()?;
    show("after connect and accept", port);

    client.shutdown(Shutdown::Write)?; // the client sends FIN
    let _ = server.read(&mut [0; 1])?; // the server reads Ok(0): EOF
    show("the client has closed its half", port);

    drop(server); // the server sends its FIN
    let _ = client.read(&mut [0; 1])?; // the client reads EOF in turn
    drop(client);
    show("both have closed", port);
    // ANCHOR_END: life
    Ok(())
}

/// Prints the lines of `ss -tan` for sockets on `port`, as they are now.
fn show(moment: &str, port: u16) {
    // Let the last segment reach the other socket before looking.
    thread::sleep(Duration::from_millis(50));
    println!("--- {moment}");
    let filter = format!("( sport = :{port} or dport = :{port} )");
    match Command::new("ss").args(["-tan", &filter]).output() {
        Ok(out) => print!("{}", String::from_utf8_lossy(&out.stdout)),
        Err(e) => println!("(could not run ss: {e})"),
    }
}
