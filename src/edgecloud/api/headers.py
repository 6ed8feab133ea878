"""Header names carried between the UE, the radio emulator and the orchestrator."""

REQUEST_ID = "X-Request-Id"
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

BACKHAUL_DELAY_S = "X-Backhaul-Delay-s"  # time the backhaul held the request and response head
