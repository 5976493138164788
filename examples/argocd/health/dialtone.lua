-- Argo CD health of Dialtone's resources: one script for resource.customizations.health.dialtone.io_SipGateway,
-- ..._SipTrunk and ..._DispatchRule (docs/gitops.md).
-- Every kind: Progressing until the operator reports on this generation (status.observedGeneration).
-- SipGateway: Degraded when the Degraded condition is True; Suspended at zero replicas without autoscaling;
--   Healthy when Ready is True and nothing is Progressing (pods starting or replaced, routing propagating).
-- SipTrunk, DispatchRule: Degraded when Ready is False (invalid, a missing Secret, a conflict, no such gateway);
--   Healthy when Ready and Propagated are True: compiled and live on every ready gateway pod.
local hs = {status = "Progressing", message = "Waiting for the Dialtone operator to report status"}

local function condition(conditions, type)
  if conditions == nil then return nil end
  for _, c in ipairs(conditions) do
    if c.type == type then return c end
  end
  return nil
end

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

local generation = obj.metadata.generation
local status = obj.status
if status == nil or status.observedGeneration == nil then
  return hs
end
if generation ~= nil and status.observedGeneration < generation then
  hs.message = "Waiting for the Dialtone operator to observe generation " .. generation
  return hs
end
local ready = condition(status.conditions, "Ready")

if obj.kind == "SipGateway" then
  local degraded = condition(status.conditions, "Degraded")
  local progressing = condition(status.conditions, "Progressing")
  if isTrue(degraded) then
    hs.status = "Degraded"
    hs.message = degraded.message
  elseif obj.spec ~= nil and obj.spec.replicas == 0 and obj.spec.autoscaling == nil then
    hs.status = "Suspended"
    hs.message = "Scaled to zero replicas"
  elseif isTrue(ready) and not isTrue(progressing) then
    hs.status = "Healthy"
    hs.message = ready.message
  elseif isTrue(progressing) then
    hs.message = progressing.message
  elseif ready ~= nil then
    hs.message = ready.message
  end
  return hs
end

local propagated = condition(status.conditions, "Propagated")
if ready == nil then
  return hs
end
if ready.status == "False" then
  hs.status = "Degraded"
  hs.message = (ready.reason or "NotReady") .. ": " .. (ready.message or "")
elseif isTrue(ready) and isTrue(propagated) then
  hs.status = "Healthy"
  hs.message = ready.message
elseif isTrue(ready) and propagated ~= nil then
  hs.message = propagated.message
else
  hs.message = ready.message
end
return hs
