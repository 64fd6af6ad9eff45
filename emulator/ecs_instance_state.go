package emulator

func init() {
	registerECSOp("UpdateContainerInstancesState", (*ecsCall).updateContainerInstancesState)
}

// updateContainerInstancesState sets instances ACTIVE or DRAINING. On a
// DRAINING instance no task is placed, and the service scheduler replaces
// the service tasks running there within minimumHealthyPercent and
// maximumPercent; standalone tasks keep running.
func (x *ecsCall) updateContainerInstancesState(body []byte) (any, error) {
	in, err := ecsDecode[instancesInput](body)
	if err != nil {
		return nil, err
	}
	if len(in.ContainerInstances) == 0 || len(in.ContainerInstances) > 10 {
		return nil, invalidParameter("containerInstances must contain between 1 and 10 items.")
	}
	if in.Status != "ACTIVE" && in.Status != "DRAINING" {
		return nil, invalidParameter("status must be ACTIVE or DRAINING.")
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	reply := eachInstance(c, in.ContainerInstances, func(ci *containerInstance) { ci.Status = in.Status })
	for _, s := range c.Services {
		s.touched = true // let idle services see the change
	}
	return reply, nil
}
