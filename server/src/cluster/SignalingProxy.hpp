#pragma once
// Relays one Chime signaling WebSocket to the node that hosts its meeting: the SDK opened
// `/control/<MeetingId>` on whichever node its SignalingUrl names, and the meeting lives on
// another. Frames go both ways unchanged (the join token travels in the same subprotocol
// header); the media does not pass here (the host's ICE candidates are in its SUBSCRIBE_ACK).
// When the host closes, the client gets the same close code; when the host is lost (crashed,
// unreachable), the client gets 4500 so that the SDK reconnects, and its next JOIN finds the
// meeting placed on a live node. Plain ws:// between nodes only (a private network).
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "net/WebSocketConnection.hpp"

namespace medicall::cluster {

class SignalingProxy {
 public:
  // Starts relaying `client` to `hostUrl` ("http://host:port") + `target` ("/control/<id>"),
  // sending `subprotocols` as Sec-WebSocket-Protocol and `relaySecret` as X-MediCall-Relayed (the
  // host then serves it itself). Call from the WebSocket's onOpen, on the HTTP io_context. The
  // relay keeps itself alive until both sides are closed.
  static void Start(boost::asio::io_context& ioc, std::shared_ptr<net::WebSocketConnection> client,
                    const std::string& hostUrl, const std::string& target, const std::string& subprotocols,
                    const std::string& relaySecret);
};

}  // namespace medicall::cluster
