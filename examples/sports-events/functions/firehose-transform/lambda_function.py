"""The Firehose transform Lambda of the original project, unchanged in form: Kinesis Data Firehose
hands it a batch of records, each an EventBridge event base64-encoded, and it answers each record
with Ok (and the reshaped row, base64-encoded), Dropped or ProcessingFailed.

In Sluice it runs as `transform: {function: firehose-transform}` on the `matches-lambda` rule's
lake target (see ../../sluice.yaml). The same file deploys to AWS Lambda as it is.

A scheduled match becomes one flat row for the cat1_lambda table: the match's fields, the ticket
revenue rounded to cents (the jq rule beside it keeps the float, 3706796.6100000003) and a
`fixture` label. A record that is not a Match Scheduled event is Dropped (a Firehose stream gets
whatever its rule sends it); one whose tickets or price are not numbers is ProcessingFailed, which
Sluice dead-letters with the message below and Firehose writes to its error prefix.
"""
import base64
import json

# The match fields copied into the row, in this order (missing ones are left out). `sport` is not
# among them: the table is partitioned by it, so it is a column already.
FIELDS = ("match_id", "league", "home_team", "away_team", "venue", "city", "kickoff",
          "tickets_sold", "ticket_price")


def reshape(event):
    """The row for one Match Scheduled event; ValueError says why there can be none."""
    detail = event.get("detail")
    if not isinstance(detail, dict):
        raise ValueError("the event has no detail object")
    tickets = detail.get("tickets_sold")
    price = detail.get("ticket_price")
    for name, value in (("tickets_sold", tickets), ("ticket_price", price)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("%s: expected a number, got %s" % (name, json.dumps(value)))
    row = {k: detail[k] for k in FIELDS if k in detail}
    row["revenue"] = round(tickets * price, 2)
    if "home_team" in detail and "away_team" in detail:
        row["fixture"] = "%s v %s" % (detail["home_team"], detail["away_team"])
    return row


def lambda_handler(event, context):
    output = []
    for record in event["records"]:
        answer = {"recordId": record["recordId"]}
        try:
            source = json.loads(base64.b64decode(record["data"]))
        except ValueError as e:
            answer.update(result="ProcessingFailed", errorMessage="not JSON: %s" % e)
            output.append(answer)
            continue
        if source.get("detail-type") != "Match Scheduled":
            answer["result"] = "Dropped"
            output.append(answer)
            continue
        try:
            row = reshape(source)
        except ValueError as e:
            print("record %s (event %s): %s" % (record["recordId"], source.get("id"), e))
            answer.update(result="ProcessingFailed", errorMessage=str(e))
        else:
            data = json.dumps(row, separators=(",", ":")).encode("utf-8")
            answer.update(result="Ok", data=base64.b64encode(data).decode("ascii"))
        output.append(answer)
    print("%d record%s: %s" % (len(output), "" if len(output) == 1 else "s", ", ".join(
        "%d %s" % (n, r) for r, n in sorted(_count(output).items()))))
    return {"records": output}


def _count(output):
    counts = {}
    for a in output:
        counts[a["result"]] = counts.get(a["result"], 0) + 1
    return counts
