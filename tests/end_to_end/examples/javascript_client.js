const WebSocket = require("ws");

const apiKey = "chrono_public_dev_key_001";
const ws = new WebSocket("ws://localhost:3000/stream", {
  headers: {
    Authorization: `Bearer ${apiKey}`,
  },
});

ws.on("open", () => {
  console.log("✅ Connected to Project Chrono WebSocket");

  // Subscribe to Bitcoin and Ethereum
  ws.send(
    JSON.stringify({
      type: "subscribe",
      symbols: ["BTC/USD", "ETH/USD"],
    }),
  );
});

ws.on("message", (data) => {
  const message = JSON.parse(data.toString());

  switch (message.type) {
    case "subscribed":
      console.log(`📡 Subscribed to: ${message.symbols.join(", ")}`);
      break;

    case "price_update":
      console.log(
        `💰 ${message.symbol}: $${message.price.toFixed(2)} ` +
          `(${message.source}) at ${message.timestamp}`,
      );
      break;

    case "pong":
      console.log("💓 Heartbeat received");
      break;

    case "error":
      console.error(`❌ Error: ${message.message}`);
      break;

    default:
      console.log("📨 Message:", message);
  }
});

ws.on("error", (error) => {
  console.error("❌ WebSocket error:", error.message);
});

ws.on("close", () => {
  console.log("🔌 Disconnected from WebSocket");
});

// Graceful shutdown
process.on("SIGINT", () => {
  console.log("\n🛑 Closing connection...");
  ws.send(JSON.stringify({ type: "unsubscribe" }));
  setTimeout(() => ws.close(), 100);
});
