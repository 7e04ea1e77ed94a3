# pint configuration for the generated rule files (`pint --offline lint`, run by src/pint.test.ts).
# Offline: no Prometheus server is queried; pint's own offline checks run, plus these rules.

rule {
  match {
    kind = "alerting"
  }

  # Alertmanager routes on severity; the coverage check and amtool check the same values.
  label "severity" {
    severity = "bug"
    value    = "(critical|warning|info)"
    required = true
  }
  label "team" {
    severity = "bug"
    required = true
  }

  annotation "summary" {
    severity = "bug"
    required = true
  }
  annotation "description" {
    severity = "bug"
    required = true
  }
  annotation "runbook_url" {
    severity = "bug"
    value    = ".*runbooks/[A-Z][A-Za-z0-9]+[.]md"
    required = true
  }
}
