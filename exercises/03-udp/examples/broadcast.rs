//! Broadcast without leaving the machine: 127.255.255.255 is the broadcast
//! address of the loopback network 127.0.0.0/8.
//!
//! Run it: `cargo run -p udp --example broadcast`

use std::io;
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::time::Duration;

fn main() -> io::Result<()> {
    // ANCHOR: listener
    // A broadcast is delivered to sockets bound to the wildcard address
    // 0.0.0.0 on that port; one bound to 127.0.0.1 alone would not see it.
    let listener = UdpSocket::bind("0.0.0.0:0")?;
    listener.set_read_timeout(Some(Duration::from_secs(1)))?;
    let port = listener.local_addr()?.port();
    // ANCHOR_END: listener

    // ANCHOR: broadcast
    let loopback_broadcast =
        SocketAddrV4::new(Ipv4Addr::new(127, 255, 255, 255), port);
    let sender = UdpSocket::bind("127.0.0.1:0")?;

    // Without SO_BROADCAST the kernel refuses: a broadcast is never sent
    // by accident.
    match sender.send_to(b"anyone?", loopback_broadcast) {
        Ok(_) => println!("sent without SO_BROADCAST (this system allows it)"),
        Err(error) => println!("without SO_BROADCAST: {error}"),
    }

    sender.set_broadcast(true)?;
    sender.send_to(b"hello, everyone", loopback_broadcast)?;
    let mut buffer = [0u8; 1500];
    match listener.recv_from(&mut buffer) {
        Ok((len, from)) => {
            println!(
                "with SO_BROADCAST: {from} says {:?}",
                String::from_utf8_lossy(&buffer[..len])
            )
        }
        Err(error) => println!("with SO_BROADCAST: nothing arrived ({error})"),
    }
    // ANCHOR_END: broadcast
    Ok(())
}
