package templates

import (
	"reflect"
	"testing"
)

// TestDataRepeatsUpdateFields: Data repeats every field of the Update at
// its top level, where text/template finds it without an allocating
// search, with the same type and the same value as in Data.Update.
func TestDataRepeatsUpdateFields(t *testing.T) {
	u := sample
	u.Title = "Multi\nline  title"
	u.Advice, u.Corrects = "Retry.", "u_1"
	d := newData(u)
	dv, uv := reflect.ValueOf(d), reflect.ValueOf(d.Update)
	for f := range reflect.TypeFor[Data]().Field(0).Type.Fields() {
		df, ok := reflect.TypeFor[Data]().FieldByName(f.Name)
		if !ok || len(df.Index) != 1 || df.Type != f.Type {
			t.Errorf("Data.%s: missing at the top level or of another type than Update.%s", f.Name, f.Name)
			continue
		}
		if got, want := dv.FieldByIndex(df.Index).Interface(), uv.FieldByName(f.Name).Interface(); !reflect.DeepEqual(got, want) {
			t.Errorf("Data.%s = %v, Data.Update.%s = %v", f.Name, got, f.Name, want)
		}
		if reflect.ValueOf(u).FieldByName(f.Name).IsZero() {
			t.Errorf("the test update leaves %s empty", f.Name)
		}
	}
	if d.Title != "Multi line title" {
		t.Errorf("Title = %q, want it on one line", d.Title)
	}
}
