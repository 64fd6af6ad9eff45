package emulator

// findTaskDef resolves "family:rev" (or an ARN) to a registered revision.
func (x *ecsCall) findTaskDef(ref string) *taskDef {
	fam, rev, ok := parseTaskDefRef(ref)
	if !ok {
		return nil
	}
	f := x.reg.Families[fam]
	if f == nil {
		return nil
	}
	if rev == 0 {
		for i := len(f.Revisions) - 1; i >= 0; i-- {
			if f.Revisions[i].Status == "ACTIVE" {
				return f.Revisions[i]
			}
		}
		return nil
	}
	if rev > len(f.Revisions) {
		return nil
	}
	return f.Revisions[rev-1]
}
