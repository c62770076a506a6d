package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// payload is an Alertmanager webhook notification, version 4.
type payload struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"` // firing or resolved
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []alert           `json:"alerts"`
}

// alert is one alert of a notification.
type alert struct {
	Status       string            `json:"status"` // firing or resolved
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// Statuses of a notification and of an alert.
const (
	statusFiring   = "firing"
	statusResolved = "resolved"
)

// errPayload marks a notification the bridge cannot use: HTTP 400.
var errPayload = errors.New("bad payload")

func badPayload(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errPayload, fmt.Sprintf(format, args...))
}

// decodePayload reads and checks one notification. Unknown fields are
// ignored, so that later Alertmanager versions still work.
func decodePayload(r io.Reader) (*payload, error) {
	dec := json.NewDecoder(r)
	var p payload
	if err := dec.Decode(&p); err != nil {
		if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
			return nil, err
		}
		return nil, badPayload("decode JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badPayload("decode JSON: data after the object")
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return &p, nil
}

func (p *payload) check() error {
	switch {
	case p.Version != "4":
		return badPayload("version: %q not supported (want \"4\")", p.Version)
	case p.GroupKey == "":
		return badPayload("groupKey: missing")
	case p.Status != statusFiring && p.Status != statusResolved:
		return badPayload("status: unknown value %q (want firing or resolved)", p.Status)
	case len(p.Alerts) == 0:
		return badPayload("alerts: none")
	}
	for i, a := range p.Alerts {
		if a.Status != statusFiring && a.Status != statusResolved {
			return badPayload("alerts[%d].status: unknown value %q (want firing or resolved)", i, a.Status)
		}
	}
	return nil
}
