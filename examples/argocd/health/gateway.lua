-- Argo CD health of a dialtone.io SipGateway (resource.customizations.health.dialtone.io_SipGateway).
-- Healthy: the operator has seen this generation, pods are ready and run the newest routing revision.
-- Degraded: the Degraded condition says what cannot work. Suspended: scaled to zero replicas.
-- Progressing: anything on its way (a new generation, pods starting or being replaced, routing propagating).
local hs = {status = "Progressing", message = "Waiting for the Dialtone operator to report status"}

local function condition(conditions, type)
  if conditions == nil then return nil end
  for _, c in ipairs(conditions) do
    if c.type == type then return c end
  end
  return nil
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

local degraded = condition(status.conditions, "Degraded")
local ready = condition(status.conditions, "Ready")
local progressing = condition(status.conditions, "Progressing")
if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = degraded.message
  return hs
end
if obj.spec ~= nil and obj.spec.replicas == 0 and obj.spec.autoscaling == nil then
  hs.status = "Suspended"
  hs.message = "Scaled to zero replicas"
  return hs
end
if ready ~= nil and ready.status == "True" and (progressing == nil or progressing.status ~= "True") then
  hs.status = "Healthy"
  hs.message = ready.message
  return hs
end
if progressing ~= nil and progressing.status == "True" then
  hs.message = progressing.message
elseif ready ~= nil then
  hs.message = ready.message
end
return hs
