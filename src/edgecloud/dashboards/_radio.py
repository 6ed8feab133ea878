"""The radio: how busy each cell is, what each UE gets and whether the scheduler keeps up."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard
from grafana_foundation_sdk.models import units

from ._panels import Panel, Query, build_dashboard, histogram_quantile

UID = "edgecloud-radio"

# The emulator exports per-UE series for its first `metrics_max_ues` (16) UEs only, so these
# panels need no topk of their own.
_UE_NOTE = "One series per UE, for the first 16 UEs the emulator labels."


def _per_ue(title: str, metric: str, unit: str, direction: str, what: str) -> Panel:
    return Panel(
        title,
        f"{what} {_UE_NOTE}",
        unit,
        (Query(f'{metric}{{direction="{direction}"}}', "{{ue}}"),),
    )


ROWS: tuple[tuple[Panel, ...], ...] = (
    (
        Panel(
            "RB utilisation per cell and direction",
            "Resource blocks granted per second over the cell's resource blocks.",
            units.PercentUnit,
            (
                Query(
                    # rb_seconds has a direction label the per-cell RB count lacks.
                    "sum by (cell, direction) (rate(edgecloud_radio_rb_seconds_total[1m]))"
                    " / ignoring(direction) group_left"
                    " sum by (cell) (edgecloud_radio_cell_rbs)",
                    "cell {{cell}} {{direction}}",
                ),
            ),
            ratio=True,
        ),
        Panel(
            "Active UEs per cell",
            "UEs with bytes waiting in the scheduler.",
            units.Short,
            (
                Query(
                    "sum by (cell, direction) (edgecloud_radio_active_ues)",
                    "cell {{cell}} {{direction}}",
                ),
            ),
        ),
    ),
    (
        _per_ue(
            "UE downlink rate",
            "edgecloud_radio_ue_rate_bps",
            units.BitsPerSecondSI,
            "downlink",
            "Expected rate from the UE's RB share and SINR.",
        ),
        _per_ue(
            "UE uplink rate",
            "edgecloud_radio_ue_rate_bps",
            units.BitsPerSecondSI,
            "uplink",
            "Expected rate from the UE's RB share and SINR.",
        ),
    ),
    (
        _per_ue(
            "UE downlink SINR",
            "edgecloud_radio_ue_sinr_db",
            units.Decibel,
            "downlink",
            "Large-scale SINR (path loss and shadowing).",
        ),
        _per_ue(
            "UE uplink SINR",
            "edgecloud_radio_ue_sinr_db",
            units.Decibel,
            "uplink",
            "Large-scale SINR (path loss and shadowing).",
        ),
    ),
    (
        Panel(
            "Air throughput",
            "Bits carried over the air, all cells together.",
            units.BitsPerSecondSI,
            (
                Query(
                    "sum by (direction) (rate(edgecloud_radio_air_bytes_total[1m])) * 8",
                    "{{direction}}",
                ),
            ),
        ),
        Panel(
            "Cell throughput",
            "Bits each cell sent.",
            units.BitsPerSecondSI,
            (
                Query(
                    "sum by (cell, direction) (rate(edgecloud_radio_cell_bytes_total[1m])) * 8",
                    "cell {{cell}} {{direction}}",
                ),
            ),
        ),
    ),
    (
        Panel(
            "Uplink and downlink delay p95",
            "95th percentile of the request's uplink air time, of the response's downlink time "
            "(first byte sent to last delivered) and of the whole delivery.",
            units.Seconds,
            tuple(
                Query(histogram_quantile(0.95, f"edgecloud_radio_{leg}_delay_seconds"), leg)
                for leg in ("uplink", "downlink", "delivery")
            ),
        ),
        Panel(
            "UE requests by HTTP status",
            "Requests the emulator answered, by the status the UE saw.",
            units.RequestsPerSecond,
            (Query("sum by (status) (rate(edgecloud_radio_requests_total[1m]))", "{{status}}"),),
        ),
    ),
    (
        Panel(
            "Scheduler loop lag",
            "How late the last scheduling epoch ran: the emulator's own CPU headroom.",
            units.Seconds,
            (Query("max by (direction) (edgecloud_radio_scheduler_lag_seconds)", "{{direction}}"),),
            width=8,
        ),
        Panel(
            "Late epochs rate",
            "Epochs that ran more than one epoch late; above zero the shaping is no longer exact.",
            units.EventsPerSecond,
            (
                Query(
                    "sum by (direction) (rate(edgecloud_radio_scheduler_late_epochs_total[1m]))",
                    "{{direction}}",
                ),
            ),
            width=8,
        ),
        Panel(
            "Registered UEs",
            "UEs the emulator knows.",
            units.Short,
            (Query("sum(edgecloud_radio_registered_ues)", "UEs"),),
            width=8,
        ),
    ),
)


def radio() -> Dashboard:
    return build_dashboard(
        UID,
        "edgecloud: radio",
        "The radio emulator's cells, UEs and air scheduler.",
        ROWS,
    )
