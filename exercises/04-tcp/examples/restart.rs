//! "Address already in use": a server that closed a connection first leaves
//! it in TIME-WAIT on its port. Binding that port again fails without
//! SO_REUSEADDR and works with it; std's TcpListener sets it on Unix. Even
//! with it, two sockets cannot *listen* on one port at once.
//!
//! Run it: `cargo run -p tcp --example restart` (Linux; uses `ss`)

use std::io::{self, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;

use socket2::{Domain, SockRef, Socket, Type};

fn main() -> io::Result<()> {
    // ANCHOR: time_wait
    let first = TcpListener::bind("127.0.0.1:0")?;
    let addr = first.local_addr()?;
    let mut client = TcpStream::connect(addr)?;
    let (accepted, _) = first.accept()?;
    drop(accepted); // the server closes first…
    client.read_to_end(&mut Vec::new())?; // …the client sees EOF and closes
    drop(client);
    drop(first); // the server "stops"
    let filter = format!("sport = :{}", addr.port());
    match Command::new("ss").args(["-tan", &filter]).output() {
        Ok(ss) => print!("{}", String::from_utf8_lossy(&ss.stdout)),
        Err(e) => println!("(could not run ss: {e})"),
    }
    // ANCHOR_END: time_wait

    // ANCHOR: rebind
    for reuse in [false, true] {
        match listen_on(addr, reuse) {
            Ok(_) => println!("SO_REUSEADDR {reuse:<5}: listening on {addr} again"),
            Err(e) => println!("SO_REUSEADDR {reuse:<5}: {e}"),
        }
    }
    let again = TcpListener::bind(addr)?;
    println!(
        "std's TcpListener::bind: listening again, SO_REUSEADDR = {}",
        SockRef::from(&again).reuse_address()?
    );
    // ANCHOR_END: rebind

    // ANCHOR: not_twice
    match listen_on(addr, true) {
        Ok(_) => println!("a second listener on {addr}: it worked (unexpected)"),
        Err(e) => println!("a second listener on {addr}, with SO_REUSEADDR: {e}"),
    }
    // ANCHOR_END: not_twice
    Ok(())
}

/// A listener on `addr` with SO_REUSEADDR on or off, set before `bind`.
fn listen_on(addr: SocketAddr, reuse: bool) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(reuse)?;
    socket.bind(&addr.into())?;
    socket.listen(128)?;
    Ok(socket)
}
