"""Header names carried between the UE, the radio emulator and the orchestrator."""

REQUEST_ID = "X-Request-Id"  # assigned by the radio emulator (or the orchestrator), never a client
CLIENT_REQUEST_ID = "X-Client-Request-Id"  # a client's own id, kept only to correlate its logs
UE_ID = "X-UE-Id"
POLICY = "X-Policy"
ROUTE = "X-Route"  # which tier served a response: edge or cloud

RADIO_UE_ID = "X-Radio-UE-Id"
RADIO_CELL_ID = "X-Radio-Cell-Id"
RADIO_SINR_DB = "X-Radio-SINR-dB"
RADIO_DL_RBS = "X-Radio-DL-RBs"
RADIO_UL_RBS = "X-Radio-UL-RBs"
RADIO_DL_RATE_BPS = "X-Radio-DL-Rate-bps"
RADIO_UL_RATE_BPS = "X-Radio-UL-Rate-bps"
RADIO_UPLINK_S = "X-Radio-Uplink-s"
RADIO_SIGNATURE = "X-Radio-Signature"  # HMAC of the id and the radio headers (common.radio_trust)
BACKHAUL_TOKEN = "X-Backhaul-Token"  # the orchestrator's shared secret, on the backhaul only

BACKHAUL_DELAY_S = "X-Backhaul-Delay-s"  # time the backhaul held the request and response head
