import Gatehouse
print("gatehouse \(GatehouseVersion.current)")
